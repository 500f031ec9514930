-- One row per scored person: R, F, M metrics and tie-safe scores, the RFM cell, the ABC
-- (Pareto) class and the lifecycle stage, as of as_of_date (data contract, section 2).
with

metrics as (select * from {{ ref('int_persons_rfm_metrics') }}),

final as (
    {{ stratify.rfm_scored('metrics') }}
)

select * from final
