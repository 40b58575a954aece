-- The search index: one row per (term, document, field, match type) with a BM25 weight. The app splits a query
-- the way search_tokens does, joins its words to `term`, sums `weight` per doc_id and orders by the sum.
-- Match types: `exact` (a whole word), `prefix` (its first 3..n-1 characters, so "stat" finds "statistics"),
-- `trigram` (terms '~abc', every 3 characters of title words only: typo tolerance for names and titles; the
-- app adds them for words it cannot find exactly).
-- weight = field boost x match discount x idf x tf (k1 + 1) / (tf + k1 (1 - b + b field_length / avg length)).

{%- set k1 = 1.2 %}
{%- set b = 0.75 %}
{%- set max_prefix = 12 %}

with

documents as (

    select * from {{ ref('search_documents') }}

),

-- the macro reads this CTE by name; the linter's stand-in cannot see that
fields as (  -- noqa: ST03

    select
        doc_id,
        doc_type,
        'title' as field,
        3.0 as boost,
        title as field_text
    from documents
    where title is not null
    union all
    select
        doc_id,
        doc_type,
        'keywords' as field,
        2.0 as boost,
        keywords as field_text
    from documents
    where keywords is not null
    union all
    select
        doc_id,
        doc_type,
        'skills' as field,
        1.5 as boost,
        skills as field_text
    from documents
    where skills is not null
    union all
    select
        doc_id,
        doc_type,
        'program' as field,
        1.0 as boost,
        program as field_text
    from documents
    where program is not null
    union all
    select
        doc_id,
        doc_type,
        'location' as field,
        1.0 as boost,
        location as field_text
    from documents
    where location is not null

),

tokens as (

    select * from {{ search_tokens('fields', 'field_text', ['doc_id', 'doc_type', 'field', 'boost']) }}

),

field_lengths as (

    select
        doc_id,
        doc_type,
        field,
        count(*) as field_length
    from tokens
    group by doc_id, doc_type, field

),

average_lengths as (

    select
        doc_type,
        field,
        avg(field_length * 1.0) as average_length
    from field_lengths
    group by doc_type, field

),

numbers as (

    {{ search_numbers(1, max_prefix) }}

),

terms as (

    select
        doc_id,
        doc_type,
        field,
        boost,
        term,
        'exact' as match_type,
        1.0 as discount
    from tokens
    union all
    select
        tokens.doc_id,
        tokens.doc_type,
        tokens.field,
        tokens.boost,
        substr(tokens.term, 1, numbers.n) as term,
        'prefix' as match_type,
        0.5 as discount
    from tokens
    inner join numbers
        on numbers.n >= 3 and numbers.n < length(tokens.term)
    union all
    select
        tokens.doc_id,
        tokens.doc_type,
        tokens.field,
        tokens.boost,
        {{ dbt.concat(["'~'", 'substr(tokens.term, numbers.n, 3)']) }} as term,
        'trigram' as match_type,
        0.2 as discount
    from tokens
    inner join numbers
        on numbers.n <= length(tokens.term) - 2
    where tokens.field = 'title' and length(tokens.term) >= 4

),

postings as (

    select
        term,
        doc_id,
        doc_type,
        field,
        match_type,
        max(boost) as boost,
        max(discount) as discount,
        count(*) as term_frequency
    from terms
    group by term, doc_id, doc_type, field, match_type

),

document_frequency as (

    select
        term,
        count(distinct doc_id) as doc_count
    from postings
    group by term

),

corpus as (

    select count(*) as doc_total from documents

),

final as (

    select
        postings.term,
        postings.doc_id,
        postings.field,
        postings.match_type,
        cast(
            postings.boost * postings.discount
            * ln(1 + (corpus.doc_total - document_frequency.doc_count + 0.5) / (document_frequency.doc_count + 0.5))
            * postings.term_frequency * {{ k1 + 1 }}
            / (
                postings.term_frequency
                + {{ k1 }} * (1 - {{ b }} + {{ b }} * field_lengths.field_length / average_lengths.average_length)
            )
            as {{ dbt.type_float() }}
        ) as weight
    from postings
    cross join corpus
    inner join document_frequency
        on postings.term = document_frequency.term
    inner join field_lengths
        on
            postings.doc_id = field_lengths.doc_id
            and postings.field = field_lengths.field
    inner join average_lengths
        on
            field_lengths.doc_type = average_lengths.doc_type
            and field_lengths.field = average_lengths.field

)

select * from final
