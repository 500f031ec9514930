{#- Tie-safe quantile score 1..n of `column` over the rows of the query (contract section 2):
    1 + floor(n * (rank() - 1) / N). Equal values always share a score, which ntile
    cannot promise. With higher_is_better=false the lowest value scores n. With
    `partition_by` (e.g. 'as_of_date') each partition is its own population. -#}
{% macro quantile_score(column, n, higher_is_better=true, partition_by=none) -%}
    {%- set direction = 'asc' if higher_is_better else 'desc' -%}
    {%- set partition = 'partition by ' ~ partition_by ~ ' ' if partition_by else '' -%}
    (1 + {{ stratify.int_div(
        n ~ " * (rank() over (" ~ partition ~ "order by " ~ column ~ " " ~ direction ~ ") - 1)",
        "count(*) over (" ~ partition | trim ~ ")") }})
{%- endmacro %}
