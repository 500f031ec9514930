{#- One row per cell of the R x FM grid (1..rfm_score_buckets on each axis) with the segment
    of `segment_map` (rows shaped like the seed rfm_segment_map) whose bounds hold it: null
    when none does, a row per segment when several do (the seed test
    assert_rfm_segment_map_partitions_the_grid allows exactly one). Scores join these cells
    by equality, a hash join; joined to the map's bounds they took a nested loop over every
    person and period (51 s of customer_state_history at 10M orders). -#}
{% macro rfm_segment_cells(segment_map) -%}
    {%- set scores -%}
        {%- for score in range(1, var('rfm_score_buckets') | int + 1) %}
        select {{ score }} as score{{ ' union all' if not loop.last }}
        {%- endfor %}
    {%- endset -%}
    select
        r_scores.score as r_score,
        fm_scores.score as fm_score,
        segment_map.segment
    from ({{ scores }}
    ) as r_scores
    cross join ({{ scores }}
    ) as fm_scores
    left join {{ segment_map }} as segment_map
        on r_scores.score between segment_map.r_score_min and segment_map.r_score_max
        and fm_scores.score between segment_map.fm_score_min and segment_map.fm_score_max
{%- endmacro %}
