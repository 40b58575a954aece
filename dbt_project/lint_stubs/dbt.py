"""Stand-ins for dbt's cross-database macros, so sqlfluff's jinja templater can render models that call them.

Only for linting: they return SQL of the right shape, not what dbt would render on a given warehouse.
"""


def concat(fields):
    return " || ".join(fields)


def dateadd(datepart, interval, from_date_or_timestamp):
    return f"date_add({from_date_or_timestamp}, interval ({interval}) {datepart})"


def datediff(first_date, second_date, datepart):
    return f"date_diff('{datepart}', {first_date}, {second_date})"


def safe_cast(field, type):
    return f"try_cast({field} as {type})"


def hash(field):
    return f"md5(cast({field} as varchar))"


def listagg(measure, delimiter_text="','", order_by_clause=None, limit_num=None):
    return f"string_agg({measure}, {delimiter_text})"


def type_string():
    return "varchar"


def type_boolean():
    return "boolean"


def type_timestamp():
    return "timestamp"


def type_int():
    return "integer"


def type_bigint():
    return "bigint"


def type_float():
    return "double"


def type_numeric():
    return "numeric(28, 6)"


def current_timestamp():
    return "current_timestamp"


def date_trunc(datepart, date):
    return f"date_trunc('{datepart}', {date})"


def split_part(string_text, delimiter_text, part_number):
    return f"split_part({string_text}, {delimiter_text}, {part_number})"


def replace(field, old_chars, new_chars):
    return f"replace({field}, {old_chars}, {new_chars})"


def length(expression):
    return f"length({expression})"


def position(substring_text, string_text):
    return f"position({substring_text} in {string_text})"


def escape_single_quotes(expression):
    return expression.replace("'", "''")


def string_literal(value):
    return f"'{value}'"
