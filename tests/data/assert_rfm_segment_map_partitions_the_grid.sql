-- The seed rfm_segment_map covers every cell of the R x FM grid (1..rfm_score_buckets on
-- each axis) exactly once: a row here is a cell with no segment or with several.
with

scores as (
    {{ dbt.generate_series(var('rfm_score_buckets')) }}
),

cells as (
    select
        r.generated_number as r_score,
        fm.generated_number as fm_score
    from scores as r
    cross join scores as fm
),

final as (
    select
        cells.r_score,
        cells.fm_score,
        count(segment_map.segment) as segments
    from cells
    left join {{ ref('rfm_segment_map') }} as segment_map
        on cells.r_score between segment_map.r_score_min and segment_map.r_score_max
        and cells.fm_score between segment_map.fm_score_min and segment_map.fm_score_max
    group by cells.r_score, cells.fm_score
)

select * from final
where segments != 1
