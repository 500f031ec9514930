{#- Score 1..n from fixed cut points, for rules such as "10+ orders scores 5".
    `cut_points` holds n-1 ascending bounds. Higher is better: a value >= the k-th bound
    scores k+1. Lower is better (recency): a value <= the k-th bound from the top scores
    k+1, so [365, 180, 90, 30] gives 5 for <= 30 days and 1 for over 365. -#}
{% macro cut_point_score(column, cut_points, higher_is_better=true) -%}
    {%- set bounds = cut_points | list -%}
    case
    {%- if higher_is_better %}
        {%- for bound in bounds | reverse %}
        when {{ column }} >= {{ bound }} then {{ bounds | length - loop.index + 2 }}
        {%- endfor %}
    {%- else %}
        {%- for bound in bounds | sort %}
        when {{ column }} <= {{ bound }} then {{ bounds | length - loop.index + 2 }}
        {%- endfor %}
    {%- endif %}
        else 1
    end
{%- endmacro %}
