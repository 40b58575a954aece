-- The search index: one row per (term, document, field) with a BM25 weight, whole words only. The app splits
-- a query the way search_tokens does, expands each word through search_vocabulary (the word itself, words it
-- starts, or near spellings via search_trigrams), joins those terms here, and ranks documents by the sum of
-- weights. Prefixes and typos are resolved on the vocabulary (a few thousand terms), not stored per document.
-- weight = field boost x idf x tf (k1 + 1) / (tf + k1 (1 - b + b field_length / avg length)).
-- Rows are written in term order so a lookup by term reads only the row groups holding it.

{%- set k1 = 1.2 %}
{%- set b = 0.75 %}

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

postings as (

    select
        term,
        doc_id,
        doc_type,
        field,
        max(boost) as boost,
        count(*) as term_frequency
    from tokens
    group by term, doc_id, doc_type, field

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
        cast(
            postings.boost
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
order by term, doc_id, field
