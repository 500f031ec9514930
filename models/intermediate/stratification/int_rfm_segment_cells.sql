-- One row per cell of the R x FM grid (1..rfm_score_buckets on each axis) with the segment
-- of the seed rfm_segment_map whose bounds hold it: null when none does, a row per segment
-- when several do (the seed test assert_rfm_segment_map_partitions_the_grid allows exactly
-- one). Scores join these cells by equality, a hash join; joined to the map's bounds they
-- took a nested loop over every person and period (51 s of customer_state_history at 10M
-- orders).
with

segment_map as (select * from {{ ref('rfm_segment_map') }}),

scores as (
    {{ dbt.generate_series(var('rfm_score_buckets')) }}
),

grid_cells as (
    select
        cast(r_scores.generated_number as {{ dbt.type_int() }}) as r_score,
        cast(fm_scores.generated_number as {{ dbt.type_int() }}) as fm_score
    from scores as r_scores
    cross join scores as fm_scores
),

final as (
    select
        grid_cells.r_score,
        grid_cells.fm_score,
        segment_map.segment
    from grid_cells
    left join segment_map
        on grid_cells.r_score between segment_map.r_score_min and segment_map.r_score_max
        and grid_cells.fm_score between segment_map.fm_score_min and segment_map.fm_score_max
)

select * from final
