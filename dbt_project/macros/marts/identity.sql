{#- Identity-resolution helpers (int_students__identity_matched). -#}

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
