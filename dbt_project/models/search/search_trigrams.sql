-- Typo tolerance on the vocabulary: one row per (trigram, term) over '^' || term || '$', so the ends of a word
-- count too ("gacia" shares ^ga, cia, ia$ with "garcia"). The app looks up a word it cannot find as written,
-- takes the terms sharing most trigrams and keeps those within a small edit distance. Words of 3+ characters;
-- the first 40 trigrams of a longer word.

{%- set max_positions = 40 %}

with

vocabulary as (

    select * from {{ ref('search_vocabulary') }}
    where term_length >= 3

),

numbers as (

    {{ search_numbers(1, max_positions) }}

),

final as (

    select distinct
        substr({{ dbt.concat(["'^'", 'vocabulary.term', "'$'"]) }}, numbers.n, 3) as trigram,
        vocabulary.term
    from vocabulary
    inner join numbers
        on vocabulary.term_length >= numbers.n

)

select * from final
order by trigram, term
