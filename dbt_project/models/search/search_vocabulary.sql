-- Every distinct term of the search index, with how many documents hold it. The app expands a query word
-- here, before it touches search_terms: the word itself (exact), the terms it starts (prefix: "stat" ->
-- "statistics", "statistical"), most common first. A few thousand rows, so expansion is a scan of a small table.

with

terms as (

    select * from {{ ref('search_terms') }}

),

final as (

    select
        term,
        count(distinct doc_id) as doc_count,
        length(term) as term_length
    from terms
    group by term

)

select * from final
order by term
