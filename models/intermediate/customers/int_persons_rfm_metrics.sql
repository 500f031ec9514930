-- One row per person with at least one qualifying order on or before as_of_date (the
-- scored population), with the raw R, F and M metrics and the lifecycle stage of the
-- data contract, section 2. Scores are given in customer_rfm.
with

qualifying_orders as (select * from {{ ref('int_qualifying_orders_as_of') }}),

final as (
    {{ stratify.rfm_metrics_per_person('qualifying_orders') }}
)

select * from final
