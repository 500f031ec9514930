-- The seed rfm_segment_map covers every cell of the R x FM grid (1..rfm_score_buckets on
-- each axis) exactly once: a row here is a cell with no segment or with several.
with

cells as (select * from {{ ref('int_rfm_segment_cells') }}),

final as (
    select
        r_score,
        fm_score,
        count(segment) as segments
    from cells
    group by r_score, fm_score
)

select * from final
where segments != 1
