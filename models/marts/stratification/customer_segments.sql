-- One row per scored person: the RFM segment of the seed rfm_segment_map (today's state,
-- customer_state) and the behavioural segments (purchase frequency, preferred category and
-- channel, price sensitivity, acquisition source, geography, lifecycle phase), with the
-- figures behind them.
with

states as (select * from {{ ref('customer_state') }}),

segments as (select * from {{ ref('rfm_segments') }}),

phases as (select * from {{ ref('lifecycle_phases') }}),

customers as (select * from {{ ref('dim_customers') }}),

behaviour as (select * from {{ ref('int_persons_purchase_behaviour') }}),

final as (
    select
        states.person_key,
        states.as_of_date,
        states.r_score,
        states.fm_score,
        states.rfm_segment,
        segments.segment_label as rfm_segment_label,
        case
            when states.lifetime_orders = 1 then 'one_time'
            when states.frequency >= {{ var('frequent_min_orders') }} then 'frequent'
            else 'occasional'
        end as frequency_class,
        states.frequency,
        states.lifetime_orders,
        behaviour.preferred_category,
        behaviour.preferred_channel,
        case
            when behaviour.window_orders is null then 'unknown'
            when behaviour.discounted_orders >= {{ var('price_sensitivity_high_share') }} * behaviour.window_orders
                then 'high'
            when behaviour.discounted_orders >= {{ var('price_sensitivity_medium_share') }} * behaviour.window_orders
                then 'medium'
            else 'low'
        end as price_sensitivity,
        coalesce(behaviour.discounted_orders, 0) as discounted_orders,
        cast(behaviour.discounted_orders as {{ stratify.type_double() }})
        / behaviour.window_orders as discounted_order_share,
        coalesce(customers.signup_source, case when customers.person_type = 'guest' then 'guest' else 'unknown' end)
            as acquisition_source,
        case
            when lower(customers.province) = lower('{{ var("home_province") }}') then 'local'
            when upper(customers.country_code) = upper('{{ var("home_country") }}') then 'domestic'
            when customers.country_code is not null then 'international'
            else 'unknown'
        end as geography_class,
        customers.province,
        customers.country_code,
        states.lifecycle_stage,
        phases.phase_label as lifecycle_phase
    from states
    left join segments
        on states.rfm_segment = segments.segment
    left join customers
        on states.person_key = customers.person_key
    left join behaviour
        on states.person_key = behaviour.person_key
    left join phases
        on states.lifecycle_stage = phases.lifecycle_stage
)

select * from final
