-- One row per scored person: today's state (tier, RFM segment, lifecycle stage, ABC
-- class, scores) and the metrics behind it. The source of the snapshot
-- customer_state_snapshot and of the state log customer_state_log.
with

rfm as (select * from {{ ref('customer_rfm') }}),

tiered as (select * from {{ ref('customer_tiers') }}),

segment_map as (select * from {{ ref('rfm_segment_map') }}),

segment_cells as (
    {{ stratify.rfm_segment_cells('segment_map') }}
),

final as (
    {{ stratify.person_state('rfm', 'tiered', 'segment_cells') }}
)

select * from final
