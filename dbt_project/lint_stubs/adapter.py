"""Stand-in for dbt's `adapter` in sqlfluff's jinja templater: `adapter.dispatch(name)(...)` renders as a
function call of that name, which parses, instead of failing on an undefined variable. Linting only."""

import re

_PLAIN = re.compile(r"[A-Za-z_][\w.]*|'[^']*'|-?\d+(\.\d+)?")


def _sql_arg(value):
    """An argument as SQL that parses: names and literals as they are, lists as list literals, None as null,
    any other text (an expression, a separator) as a string literal."""
    if value is None:
        return "null"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_sql_arg(item) for item in value) + "]"
    text = str(value)
    if _PLAIN.fullmatch(text):
        return text
    return "'" + text.replace("'", "''") + "'"


# Dispatched macros that render a whole query (a CTE body) over the relations named by their arguments:
# linted as a query reading those relations, so the CTEs handed to them count as used.
_QUERY_MACROS = {"recs_explain_postings"}


def dispatch(macro_name, macro_namespace=None):
    def render(*args, **kwargs):
        if macro_name in _QUERY_MACROS:
            return "select * from " + " cross join ".join(str(a) for a in args)
        return f"{macro_name}({', '.join(_sql_arg(a) for a in args)})"

    return render


def get_columns_in_relation(relation):
    return []


def get_relation(database=None, schema=None, identifier=None):
    """A relation that exists: models that check for an optional source lint their query over it."""
    return ".".join(part for part in (database, schema, identifier) if part)
