-- The search index: one row per (term, document, field), whole words only, with what BM25 needs from the
-- document: the field's boost, the term's frequency in the field and the field's length. The corpus-wide parts
-- (idf in search_vocabulary, average field lengths in search_field_stats) are joined when the index is loaded,
-- so a day's changed documents are re-indexed alone: incremental on doc_hash (search_documents), delete+insert
-- by doc_id, and the post-hook drops documents that left search_documents. The app's search engine
-- (app/data/search.py) loads this with search_vocabulary / search_trigrams (prefixes, typos) once per publish
-- and scores with BM25 (k1 = 1.2, b = 0.75) in memory.
-- A full build writes rows in term order, so a lookup by term reads only the row groups holding it;
-- `--full-refresh` restores that order after many days of appended changes.
-- on_schema_change: with an enforced contract dbt allows only adding columns (append_new_columns) or failing.
{{ config(
    materialized='incremental',
    unique_key='doc_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook="delete from {{ this }} where doc_id not in (select doc_id from {{ ref('search_documents') }})",
) }}

{#- Compare hashes only with an index that has them: one built before doc_hash existed is re-indexed whole
    (on_schema_change then brings its columns up to date). -#}
{%- set compare_hashes = is_incremental()
    and 'doc_hash' in (adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list) %}

with

all_documents as (

    select * from {{ ref('search_documents') }}

),

-- new documents and documents whose doc_hash changed since they were indexed
documents as (

    select all_documents.*
    from all_documents
    {%- if compare_hashes %}
        left join (
            select distinct
                indexed_terms.doc_id,
                indexed_terms.doc_hash
            from {{ this }} as indexed_terms
        ) as indexed
            on all_documents.doc_id = indexed.doc_id and all_documents.doc_hash = indexed.doc_hash
        where indexed.doc_id is null
    {%- endif %}

),

-- the macro reads this CTE by name; the linter's stand-in cannot see that
fields as (  -- noqa: ST03

    select
        doc_id,
        doc_type,
        doc_hash,
        'title' as field,
        3.0 as boost,
        title as field_text
    from documents
    where title is not null
    union all
    select
        doc_id,
        doc_type,
        doc_hash,
        'keywords' as field,
        2.0 as boost,
        keywords as field_text
    from documents
    where keywords is not null
    union all
    select
        doc_id,
        doc_type,
        doc_hash,
        'skills' as field,
        1.5 as boost,
        skills as field_text
    from documents
    where skills is not null
    union all
    select
        doc_id,
        doc_type,
        doc_hash,
        'program' as field,
        1.0 as boost,
        program as field_text
    from documents
    where program is not null
    union all
    select
        doc_id,
        doc_type,
        doc_hash,
        'location' as field,
        1.0 as boost,
        location as field_text
    from documents
    where location is not null

),

tokens as (

    select * from {{ search_tokens('fields', 'field_text', ['doc_id', 'doc_type', 'doc_hash', 'field', 'boost']) }}

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

postings as (

    select
        term,
        doc_id,
        doc_type,
        doc_hash,
        field,
        max(boost) as boost,
        count(*) as term_frequency
    from tokens
    group by term, doc_id, doc_type, doc_hash, field

),

final as (

    select
        postings.term,
        postings.doc_id,
        postings.doc_type,
        postings.field,
        cast(postings.boost as {{ dbt.type_float() }}) as boost,
        cast(postings.term_frequency as integer) as term_frequency,
        cast(field_lengths.field_length as integer) as field_length,
        postings.doc_hash
    from postings
    inner join field_lengths
        on
            postings.doc_id = field_lengths.doc_id
            and postings.field = field_lengths.field

)

select * from final
order by term, doc_id, field
