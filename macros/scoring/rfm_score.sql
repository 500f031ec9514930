{#- The R, F or M score of a metric, scored as the project's vars say: by tie-safe
    quantiles (`<x>_score_method: quantile`) or by the cut points in
    `rfm_score_cut_points[<metric>]` (`threshold`). With `partition_by` (quantiles only:
    cut points do not depend on the population) each partition is scored on its own. -#}
{% macro rfm_score(column, metric, higher_is_better=true, partition_by=none) -%}
    {%- set letter = {'recency_days': 'r', 'frequency': 'f', 'monetary': 'm'}[metric] -%}
    {%- set method = var(letter ~ '_score_method') -%}
    {%- if method == 'threshold' -%}
        {{ stratify.cut_point_score(column, var('rfm_score_cut_points')[metric], higher_is_better) }}
    {%- else -%}
        {{ stratify.quantile_score(column, var('rfm_score_buckets'), higher_is_better, partition_by) }}
    {%- endif -%}
{%- endmacro %}
