-- One row per scored person: behavioural and service signals, each a boolean with the
-- figures behind it, and margin beside revenue. Thresholds are vars (dbt_project.yml).
with

rfm as (select * from {{ ref('customer_rfm') }}),

customers as (select * from {{ ref('dim_customers') }}),

window_orders as (select * from {{ ref('int_orders_in_lookback_window') }}),

behaviour as (select * from {{ ref('int_persons_purchase_behaviour') }}),

monthly_spend as (select * from {{ ref('int_persons_monthly_spend') }}),

browsing as (select * from {{ ref('int_persons_recent_browsing') }}),

support as (select * from {{ ref('int_persons_support_contacts') }}),

clv_signal as (select * from {{ ref('int_persons_clv_signal') }}),

-- The median qualifying order of the window, exactly: the middle order, or the mean of
-- the two middle ones.
ranked_orders as (
    select
        net_revenue_cny,
        row_number() over (order by net_revenue_cny) as order_position,
        count(*) over () as order_count
    from window_orders
),

median_order as (
    -- (a + b) * 0.5 stays exact on every engine (avg of decimals is a double on DuckDB).
    select cast((min(net_revenue_cny) + max(net_revenue_cny)) * 0.5 as decimal(30, 11)) as median_order_net_revenue_cny
    from ranked_orders
    where order_position in ({{ stratify.int_div('order_count + 1', 2) }}, {{ stratify.int_div('order_count + 2', 2) }})
),

referrals as (
    select
        referred_by_person_key as person_key,
        count(*) as referred_persons,
        cast(sum(lifetime_net_revenue_cny) as decimal(38, 10)) as referred_revenue_cny
    from customers
    where referred_by_person_key is not null and referred_by_person_key != person_key
    group by referred_by_person_key
),

-- month_index 1 is the latest complete month; a month declines when the month before it
-- had spend and it fell by at least declining_spender_drop.
spend_changes as (
    select
        person_key,
        month_index,
        net_revenue_cny,
        lead(net_revenue_cny) over (partition by person_key order by month_index) as previous_month_revenue_cny
    from monthly_spend
),

spend_trend as (
    select
        person_key,
        sum(
            case
                when
                    month_index <= {{ var('declining_spender_months') }}
                    and previous_month_revenue_cny > 0
                    and net_revenue_cny <= (1 - {{ var('declining_spender_drop') }}) * previous_month_revenue_cny
                    then 1
                else 0
            end
        ) as declining_months,
        max(case when month_index = 1 then net_revenue_cny end) as latest_month_revenue_cny,
        max(case when month_index = {{ var('declining_spender_months') + 1 }} then net_revenue_cny end)
            as base_month_revenue_cny
    from spend_changes
    group by person_key
),

final as (
    select
        rfm.person_key,
        rfm.as_of_date,
        rfm.lifecycle_stage,
        coalesce(
            behaviour.max_order_net_revenue_cny
            >= {{ var('whale_order_multiple') }} * median_order.median_order_net_revenue_cny,
            false
        ) as is_whale,
        behaviour.max_order_net_revenue_cny,
        median_order.median_order_net_revenue_cny,
        coalesce(
            referrals.referred_persons >= {{ var('promoter_min_referrals') }}
            and referrals.referred_revenue_cny >= {{ var('promoter_min_referred_revenue') }},
            false
        ) as is_super_promoter,
        cast(coalesce(referrals.referred_persons, 0) as {{ dbt.type_bigint() }}) as referred_persons,
        cast(coalesce(referrals.referred_revenue_cny, 0) as decimal(38, 10)) as referred_revenue_cny,
        (
            rfm.lifecycle_stage in ({{ "'" ~ var('silent_potential_stages') | join("', '") ~ "'" }})
            and coalesce(browsing.recent_browsing_events, 0) > 0
        ) as is_silent_potential,
        cast(coalesce(browsing.recent_browsing_events, 0) as {{ dbt.type_bigint() }}) as recent_browsing_events,
        cast(coalesce(browsing.recent_searches, 0) as {{ dbt.type_bigint() }}) as recent_searches,
        browsing.last_browsing_at,
        coalesce(spend_trend.declining_months, 0) = {{ var('declining_spender_months') }} as is_declining_spender,
        cast(coalesce(spend_trend.declining_months, 0) as {{ dbt.type_int() }}) as declining_months,
        spend_trend.base_month_revenue_cny,
        spend_trend.latest_month_revenue_cny,
        coalesce(support.open_complaints, 0) > 0 as has_open_complaint,
        cast(coalesce(support.open_complaints, 0) as {{ dbt.type_bigint() }}) as open_complaints,
        coalesce(
            support.window_csat_ratings > 0
            and support.window_csat_sum <= {{ var('low_csat_threshold') }} * support.window_csat_ratings,
            false
        ) as is_low_csat,
        cast(coalesce(support.window_tickets, 0) as {{ dbt.type_bigint() }}) as window_tickets,
        cast(support.window_csat_sum as {{ stratify.type_double() }}) / support.window_csat_ratings as average_csat,
        clv_signal.is_high_value_at_risk,
        clv_signal.p_alive,
        clv_signal.predicted_clv_cny,
        rfm.monetary,
        cast(coalesce(behaviour.margin_cny, 0) as decimal(38, 10)) as margin_cny,
        cast(coalesce(behaviour.revenue_with_known_cost_cny, 0) as decimal(38, 10)) as revenue_with_known_cost_cny,
        cast(behaviour.margin_cny as {{ stratify.type_double() }})
        / nullif(behaviour.revenue_with_known_cost_cny, 0) as margin_rate,
        -- Everyone with window orders is scored: the total over these rows is everyone's margin.
        cast(behaviour.margin_cny as {{ stratify.type_double() }})
        / nullif(sum(behaviour.margin_cny) over (), 0) as profit_contribution_share
    from rfm
    cross join median_order
    left join behaviour
        on rfm.person_key = behaviour.person_key
    left join referrals
        on rfm.person_key = referrals.person_key
    left join spend_trend
        on rfm.person_key = spend_trend.person_key
    left join browsing
        on rfm.person_key = browsing.person_key
    left join support
        on rfm.person_key = support.person_key
    left join clv_signal
        on rfm.person_key = clv_signal.person_key
)

select * from final
