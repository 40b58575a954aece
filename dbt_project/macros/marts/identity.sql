{#- Identity-resolution helpers (int_students__identity_matched). -#}

{#- A name as the matcher compares it: lower-cased, trimmed, inner runs of whitespace collapsed to one space.
    Collapsing needs a regular expression, whose flags differ by warehouse: hence the dispatch. -#}
{% macro normalize_name(expr) -%}
    {#- sqlfluff renders models without dbt's `adapter`: there it lints the DuckDB body. -#}
    {%- if adapter is defined -%}
        {{ adapter.dispatch('normalize_name', 'campus_pathways')(expr) }}
    {%- else -%}
        {{ duckdb__normalize_name(expr) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__normalize_name(expr) -%}
    nullif(lower(trim(regexp_replace({{ expr }}, '\s+', ' ', 'g'))), '')
{%- endmacro %}

{% macro duckdb__normalize_name(expr) -%}
    nullif(lower(trim(regexp_replace({{ expr }}, '\s+', ' ', 'g'))), '')
{%- endmacro %}

{#- Snowflake's regexp_replace replaces every occurrence by default and takes no 'g' flag. -#}
{% macro snowflake__normalize_name(expr) -%}
    nullif(lower(trim(regexp_replace({{ expr }}, '\\s+', ' '))), '')
{%- endmacro %}

{#- An e-mail the matcher may use: lower-cased and trimmed, and null unless it has the shape local@domain.tld
    (one @, no spaces). A malformed address must never link two people. -#}
{% macro normalize_email(expr) -%}
    case
        when lower(trim({{ expr }})) like '%_@_%._%'
            and lower(trim({{ expr }})) not like '%@%@%'
            and lower(trim({{ expr }})) not like '% %'
            then lower(trim({{ expr }}))
    end
{%- endmacro %}

{#- The stable student key: md5 of 'sis:<surviving SIS id>' or 'wd:<Workday id>' (decision 003). The prefix keeps
    the two id spaces apart; the SIS survivor is the lowest id of a duplicate cluster, so keys do not move when a
    later duplicate arrives. -#}
{% macro student_key(system, id_expr) -%}
    {{ dbt.hash(dbt.concat(["'" ~ system ~ ":'", "cast(" ~ id_expr ~ " as " ~ dbt.type_string() ~ ")"])) }}
{%- endmacro %}

{#- Common English first-name nickname pairs (formal, nickname), lower case. A literal list, not a seed, so the
    identity model has no extra parent and its unit tests stay self-contained. Extend it here. -#}
{% macro first_name_nickname_pairs() -%}
    {%- set pairs = [
        ('abigail', 'abby'), ('alexander', 'alex'), ('alexandra', 'alex'), ('andrew', 'andy'),
        ('anthony', 'tony'), ('barbara', 'barb'), ('benjamin', 'ben'), ('catherine', 'cathy'),
        ('catherine', 'kate'), ('charles', 'charlie'), ('charles', 'chuck'), ('christine', 'chris'),
        ('christopher', 'chris'), ('cynthia', 'cindy'), ('daniel', 'dan'), ('daniel', 'danny'),
        ('david', 'dave'), ('deborah', 'debbie'), ('donald', 'don'), ('dorothy', 'dot'),
        ('edward', 'ed'), ('edward', 'ted'), ('elizabeth', 'beth'), ('elizabeth', 'liz'),
        ('elizabeth', 'betty'), ('gregory', 'greg'), ('james', 'jim'), ('james', 'jimmy'),
        ('jennifer', 'jen'), ('jennifer', 'jenny'), ('jessica', 'jess'), ('john', 'jack'),
        ('john', 'johnny'), ('jonathan', 'jon'), ('joseph', 'joe'), ('joshua', 'josh'),
        ('katherine', 'kate'), ('katherine', 'kathy'), ('kenneth', 'ken'), ('kimberly', 'kim'),
        ('lawrence', 'larry'), ('margaret', 'maggie'), ('margaret', 'peggy'), ('matthew', 'matt'),
        ('michael', 'mike'), ('nicholas', 'nick'), ('patricia', 'pat'), ('patricia', 'patty'),
        ('rebecca', 'becky'), ('richard', 'dick'), ('richard', 'rick'), ('robert', 'bob'),
        ('robert', 'rob'), ('ronald', 'ron'), ('samantha', 'sam'), ('samuel', 'sam'),
        ('stephen', 'steve'), ('steven', 'steve'), ('susan', 'sue'), ('thomas', 'tom'),
        ('timothy', 'tim'), ('victoria', 'vicky'), ('william', 'bill'), ('william', 'will'),
        ('zachary', 'zach')
    ] -%}
    select
        formal_name,
        nickname
    from (
        values
        {% for formal, nick in pairs -%}
        ('{{ formal }}', '{{ nick }}'){{ ',' if not loop.last }}
    {% endfor -%}
    ) as nickname_pairs (formal_name, nickname)
{%- endmacro %}
