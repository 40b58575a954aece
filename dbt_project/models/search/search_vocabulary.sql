-- Every distinct term of the search index: how many documents hold it and its BM25 inverse document frequency,
-- idf = ln(1 + (N - n + 0.5) / (n + 0.5)) with N documents in all and n holding the term. The app expands a
-- query word here before it touches search_terms: the word itself (exact), the terms it starts (prefix: "stat"
-- -> "statistics", "statistical"), most common first. A few thousand rows: expansion scans a small table.

with

terms as (

    select * from {{ ref('search_terms') }}

),

corpus as (

    select count(*) as doc_total from {{ ref('search_documents') }}

),

counts as (

    select
        term,
        count(distinct doc_id) as doc_count
    from terms
    group by term

),

final as (

    select
        counts.term,
        counts.doc_count,
        length(counts.term) as term_length,
        cast(
            ln(1 + (corpus.doc_total - counts.doc_count + 0.5) / (counts.doc_count + 0.5)) as {{ dbt.type_float() }}
        ) as idf
    from counts
    cross join corpus

)

select * from final
order by term
