"""Stand-in for dbt's `adapter` in sqlfluff's jinja templater: `adapter.dispatch(name)(...)` renders as a
function call of that name, which parses, instead of failing on an undefined variable. Linting only."""


def dispatch(macro_name, macro_namespace=None):
    def render(*args, **kwargs):
        return f"{macro_name}({', '.join(str(a) for a in args)})"

    return render
