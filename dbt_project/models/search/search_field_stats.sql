-- BM25's length normalisation needs each field's average length (in terms) per document type: one row per
-- (doc_type, field), joined to search_terms.field_length when the app's search engine loads the index.

with

field_lengths as (

    select distinct
        doc_id,
        doc_type,
        field,
        field_length
    from {{ ref('search_terms') }}

),

final as (

    select
        doc_type,
        field,
        cast(avg(field_length * 1.0) as {{ dbt.type_float() }}) as average_length,
        count(*) as field_count
    from field_lengths
    group by doc_type, field

)

select * from final
