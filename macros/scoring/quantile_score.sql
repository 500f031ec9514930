{#- Tie-safe quantile score 1..n of `column` over the rows of the query (contract section 2):
    1 + floor(n * (rank() - 1) / N). Equal values always share a score, which ntile
    cannot promise. With higher_is_better=false the lowest value scores n. -#}
{% macro quantile_score(column, n, higher_is_better=true) -%}
    {%- set direction = 'asc' if higher_is_better else 'desc' -%}
    (1 + {{ stratify.int_div(
        n ~ " * (rank() over (order by " ~ column ~ " " ~ direction ~ ") - 1)",
        "count(*) over ()") }})
{%- endmacro %}
