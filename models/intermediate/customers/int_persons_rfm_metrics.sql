-- One row per person with at least one qualifying order on or before as_of_date (the
-- scored population), with the raw R, F and M metrics and the lifecycle stage of the
-- data contract, section 2. Scores are given in customer_rfm.
with

qualifying_orders as (
    select
        *,
        row_number() over (partition by person_key order by ordered_at desc, order_id desc) as recency_rank
    from {{ ref('int_qualifying_orders_as_of') }}
),

per_person as (
    select
        person_key,
        max(as_of_date) as as_of_date,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        max(case when recency_rank = 2 then order_date end) as previous_order_date,
        cast(min(days_before_as_of) as {{ dbt.type_int() }}) as recency_days,
        cast(sum(case when days_before_as_of < {{ var('lookback_days') }} then 1 else 0 end) as {{ dbt.type_bigint() }}) as frequency,
        cast(coalesce(sum(
            case when days_before_as_of < {{ var('lookback_days') }} then net_revenue_cny end
        ), 0) as decimal(38, 10)) as monetary,
        cast(count(*) as {{ dbt.type_bigint() }}) as lifetime_orders,
        cast(sum(net_revenue_cny) as decimal(38, 10)) as lifetime_net_revenue_cny
    from qualifying_orders
    group by person_key
),

final as (
    select
        *,
        {{ dbt.datediff('first_order_date', 'as_of_date', 'day') }} as days_since_first_order,
        {{ dbt.datediff('previous_order_date', 'last_order_date', 'day') }} as days_between_last_two_orders,
        case
            when {{ dbt.datediff('first_order_date', 'as_of_date', 'day') }} <= {{ var('lifecycle_new_days') }}
                then 'new'
            when recency_days <= {{ var('lifecycle_reactivated_recency_days') }}
                and {{ dbt.datediff('previous_order_date', 'last_order_date', 'day') }} > {{ var('lifecycle_reactivated_gap_days') }}
                then 'reactivated'
            when recency_days <= {{ var('lifecycle_active_days') }} then 'active'
            when recency_days <= {{ var('lifecycle_at_risk_days') }} then 'at_risk'
            when recency_days <= {{ var('lifecycle_dormant_days') }} then 'dormant'
            else 'churned'
        end as lifecycle_stage
    from per_person
)

select * from final
