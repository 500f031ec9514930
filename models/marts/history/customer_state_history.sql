-- The state engine: one row per person and period of int_history_period_ends, the state
-- the person had at the period's as_of_date (its last day, or as_of_date itself for the
-- period still open), computed from the orders with the as-of rules of the data contract
-- (section 2): metrics, lifecycle stage, R/F/M scores, ABC class, tier and RFM segment.
-- The one place a person's state is computed: customer_rfm, customer_tiers and
-- customer_state are today's slice of it, so the history is complete from the first build.
-- Incremental: a run recomputes the open period, the new ones and those that late data can
-- have changed (see `restated`); each period is replaced whole (its scores are relative to
-- everyone scored that day), the open one included as as_of_date moves on within it.
{{ config(
    materialized='incremental',
    unique_key='period_start',
    partition_by=stratify.partitioned_by('period_start'),
    on_schema_change='append_new_columns'
) }}
with

orders as (select * from {{ ref('fct_orders') }}),

period_ends as (select * from {{ ref('int_history_period_ends') }}),

-- Read by incremental runs only (`restated`); outside the `if` so that dbt, which parses
-- the model as not incremental, records the dependency (noqa: "unused CTE" in that rendering).
as_of as (select * from {{ ref('int_as_of_date') }}),  -- noqa: ST03

rules as (select * from {{ ref('tier_rules') }}),

tiers as (select * from {{ ref('tiers') }}),

overrides as (select * from {{ ref('int_tier_overrides_resolved') }}),

segment_cells as (select * from {{ ref('int_rfm_segment_cells') }}),

qualifying_orders as (
    select
        orders.person_key,
        orders.order_id,
        orders.ordered_at,
        orders.order_date,
        orders.net_revenue_cny,
        cast({{ dbt.dateadd("day", var("lookback_days"), "orders.order_date") }} as date) as leaves_window_on
    from orders
    where {{ stratify.is_qualifying_order('orders') }}
),

{% if is_incremental() %}
built as (select * from {{ this }}),

-- Periods to recompute: every period since the oldest order delivered after the newest
-- period built (a late return changes the periods after its order), since the first
-- order of a person whose key is gone (merged into another person by new identity links,
-- or no longer scored: their past states move to other keys), the periods ending within
-- late_arriving_days of the newest one (changes that do not show in updated_at, e.g. a
-- corrected fx rate), and always the period of as_of_date (also when it moved back).
restated as (
    select min(restate_from) as restate_from
    from (
        select {{ dbt.dateadd('day', -var('late_arriving_days'), 'max(as_of_date)') }} as restate_from
        from built
        union all
        select as_of_date as restate_from
        from as_of
        union all
        select min(orders.order_date) as restate_from
        from orders
        where cast(orders.updated_at as date) > (select max(all_built.as_of_date) from built as all_built)
        union all
        select min(built.first_order_date) as restate_from
        from built
        left join (select distinct person_key from qualifying_orders) as current_persons
            on built.person_key = current_persons.person_key
        where
            built.as_of_date = (select max(all_built.as_of_date) from built as all_built)
            and current_persons.person_key is null
    ) as candidates
),
{% endif %}

periods as (
    select period_ends.*
    from period_ends
    {% if is_incremental() -%}
    cross join restated
    -- null: nothing built yet, every period.
    where restated.restate_from is null or period_ends.as_of_date >= restated.restate_from
    {%- endif %}
),

-- Metrics per person and period from running sums over the periods, not from every order
-- joined to every later period (orders x periods rows): each order is counted once in the
-- period that holds its date, and once more, negatively for the look-back window, in the
-- period from which it is older than lookback_days. An order after as_of_date is in no
-- period (the open one ends on as_of_date), so it is never counted.
first_period as (
    select
        min(period_start) as period_start,
        min(as_of_date) as as_of_date
    from period_ends
),

-- The period end from which an order counts (the period holding its date; orders before the
-- first period count from the first) and the one from which it is out of the look-back
-- window; null: after the last period.
orders_per_period as (
    select
        qualifying_orders.*,
        case
            when qualifying_orders.order_date < first_period.period_start then first_period.as_of_date
            else entering.as_of_date
        end as counted_from,
        case
            when qualifying_orders.leaves_window_on < first_period.period_start then first_period.as_of_date
            else leaving.as_of_date
        end as out_of_window_from
    from qualifying_orders
    cross join first_period
    left join period_ends as entering
        on qualifying_orders.order_date between entering.period_start and entering.as_of_date
    left join period_ends as leaving
        on qualifying_orders.leaves_window_on between leaving.period_start and leaving.as_of_date
),

counted_per_period as (
    select
        person_key,
        counted_from as as_of_date,
        count(*) as orders_counted,
        sum(net_revenue_cny) as net_revenue_counted,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        max(case when recency_rank_in_period = 2 then order_date end) as second_last_order_date
    from (
        select
            *,
            row_number() over (
                partition by person_key, counted_from order by ordered_at desc, order_id desc
            ) as recency_rank_in_period
        from orders_per_period
        where counted_from is not null
    ) as ranked_orders
    group by person_key, counted_from
),

out_of_window_per_period as (
    select
        person_key,
        out_of_window_from as as_of_date,
        count(*) as orders_out_of_window,
        sum(net_revenue_cny) as net_revenue_out_of_window
    from orders_per_period
    where out_of_window_from is not null
    group by person_key, out_of_window_from
),

-- Every period end from each person's first one: a person keeps a state without new orders.
person_periods as (
    select
        first_counted.person_key,
        period_ends.period_start,
        period_ends.as_of_date
    from (
        select
            person_key,
            min(as_of_date) as first_as_of_date
        from counted_per_period
        group by person_key
    ) as first_counted
    inner join period_ends
        on first_counted.first_as_of_date <= period_ends.as_of_date
),

running as (
    select
        person_periods.person_key,
        person_periods.period_start,
        person_periods.as_of_date,
        counted.orders_counted,
        counted.net_revenue_counted,
        counted.first_order_date,
        counted.last_order_date,
        out_of_window.orders_out_of_window,
        out_of_window.net_revenue_out_of_window,
        -- The order before the last one, if this period has orders: the second last of the
        -- period, or else the last of an earlier period.
        coalesce(
            counted.second_last_order_date,
            case when counted.person_key is not null then max(counted.last_order_date) over (
                partition by person_periods.person_key order by person_periods.as_of_date
                rows between unbounded preceding and 1 preceding
            ) end
        ) as previous_order_date_if_ordered
    from person_periods
    left join counted_per_period as counted
        on person_periods.person_key = counted.person_key
        and person_periods.as_of_date = counted.as_of_date
    left join out_of_window_per_period as out_of_window
        on person_periods.person_key = out_of_window.person_key
        and person_periods.as_of_date = out_of_window.as_of_date
),

-- Dates only grow from period to period, so each running max is the value of the latest
-- period with orders.
metrics_per_period as (
    select
        person_key,
        period_start,
        as_of_date,
        min(first_order_date) over person_to_date as first_order_date,
        max(last_order_date) over person_to_date as last_order_date,
        max(previous_order_date_if_ordered) over person_to_date as previous_order_date,
        cast(
            {{ dbt.datediff('max(last_order_date) over person_to_date', 'as_of_date', 'day') }}
            as {{ dbt.type_int() }}
        ) as recency_days,
        cast(
            sum(coalesce(orders_counted, 0)) over person_to_date
            - sum(coalesce(orders_out_of_window, 0)) over person_to_date
            as {{ dbt.type_bigint() }}
        ) as frequency,
        -- Both sums narrowed first: Spark gives the difference of two decimal(38, 10) one
        -- digit less scale (precision 39 does not fit), rounding the 10th decimal away.
        cast(
            cast(sum(coalesce(net_revenue_counted, 0)) over person_to_date as decimal(28, 10))
            - cast(sum(coalesce(net_revenue_out_of_window, 0)) over person_to_date as decimal(28, 10))
            as decimal(38, 10)
        ) as monetary,
        cast(sum(coalesce(orders_counted, 0)) over person_to_date as {{ dbt.type_bigint() }}) as lifetime_orders,
        cast(sum(net_revenue_counted) over person_to_date as decimal(38, 10)) as lifetime_net_revenue_cny
    from running
    window person_to_date as (
        partition by person_key order by as_of_date rows between unbounded preceding and current row
    )
),

-- Only the periods this run writes; the running sums above need every period before them.
metrics as (
    select metrics_per_period.*
    from metrics_per_period
    inner join periods
        on metrics_per_period.as_of_date = periods.as_of_date
),

-- The lifecycle stage (contract section 2): days since the first order, then recency and
-- the gap between the last two orders.
staged as (
    select
        *,
        case
            when days_since_first_order <= {{ var('lifecycle_new_days') }} then 'new'
            when
                recency_days <= {{ var('lifecycle_reactivated_recency_days') }}
                and days_between_last_two_orders > {{ var('lifecycle_reactivated_gap_days') }}
                then 'reactivated'
            when recency_days <= {{ var('lifecycle_active_days') }} then 'active'
            when recency_days <= {{ var('lifecycle_at_risk_days') }} then 'at_risk'
            when recency_days <= {{ var('lifecycle_dormant_days') }} then 'dormant'
            else 'churned'
        end as lifecycle_stage
    from (
        select
            *,
            {{ dbt.datediff('first_order_date', 'as_of_date', 'day') }} as days_since_first_order,  -- noqa: LT05
            {{ dbt.datediff('previous_order_date', 'last_order_date', 'day') }} as days_between_last_two_orders  -- noqa: LT05
        from metrics
    ) as with_gaps
),

-- R, F and M scores, each as_of_date scored as its own population (tie-safe quantiles or
-- cut points, per var), and each person's place in the date's revenue for the ABC class.
-- (noqa LT05: a score renders as one long expression.)
scored as (
    select
        *,
        cast({{ stratify.rfm_score('recency_days', 'recency_days', false, 'as_of_date') }} as {{ dbt.type_int() }})  -- noqa: LT05
            as r_score,
        cast({{ stratify.rfm_score('frequency', 'frequency', true, 'as_of_date') }} as {{ dbt.type_int() }})  -- noqa: LT05
            as f_score,
        cast({{ stratify.rfm_score('monetary', 'monetary', true, 'as_of_date') }} as {{ dbt.type_int() }})  -- noqa: LT05
            as m_score,
        coalesce(sum(monetary) over (
            partition by as_of_date
            order by monetary desc, person_key asc
            rows between unbounded preceding and 1 preceding
        ), 0) as revenue_before,
        -- decimal(28,10) (18 integer digits) keeps total_revenue * share exact on Spark,
        -- whose decimal(38,10) * 0.8 would be rounded to 9 decimals.
        cast(sum(monetary) over (partition by as_of_date) as decimal(28, 10)) as total_revenue
    from staged
),

-- ABC (Pareto): A while the people ahead hold less than abc_a_share of the revenue.
rfm as (
    select
        *,
        {{ dbt.concat([
            'cast(r_score as ' ~ dbt.type_string() ~ ')',
            'cast(f_score as ' ~ dbt.type_string() ~ ')',
            'cast(m_score as ' ~ dbt.type_string() ~ ')']) }} as rfm_cell,
        {{ stratify.fm_score('f_score', 'm_score') }} as fm_score,
        case
            when monetary <= 0 then 'C'
            when revenue_before < total_revenue * {{ var('abc_a_share') }} then 'A'
            when revenue_before < total_revenue * {{ var('abc_b_share') }} then 'B'
            else 'C'
        end as abc_class
    from scored
),

-- The first tier rule (by priority) whose bounds hold the person. Priorities are unique (a
-- seed test): the first match is the lowest matching one, an aggregate rather than a
-- ranking of every match. Average order value = monetary / frequency, compared without
-- dividing (exact); undefined, so never matching, without orders in the window.
first_matching_rules as (
    select
        rfm.person_key,
        rfm.as_of_date,
        min(rules.priority) as priority
    from rfm
    cross join rules
    where
        {{ stratify.within_bounds('rfm.r_score', 'rules.min_r_score', 'rules.max_r_score') }}
        and {{ stratify.within_bounds('rfm.f_score', 'rules.min_f_score', 'rules.max_f_score') }}
        and {{ stratify.within_bounds('rfm.m_score', 'rules.min_m_score', 'rules.max_m_score') }}
        and {{ stratify.within_bounds('rfm.recency_days', 'rules.min_recency_days', 'rules.max_recency_days') }}
        and {{ stratify.within_bounds('rfm.frequency', 'rules.min_frequency', 'rules.max_frequency') }}
        and {{ stratify.within_bounds('rfm.monetary', 'rules.min_monetary', 'rules.max_monetary') }}
        and (
            (rules.min_avg_order_value is null and rules.max_avg_order_value is null)
            or (
                rfm.frequency > 0
                and (rules.min_avg_order_value is null or rfm.monetary >= rules.min_avg_order_value * rfm.frequency)
                and (rules.max_avg_order_value is null or rfm.monetary <= rules.max_avg_order_value * rfm.frequency)
            )
        )
    group by rfm.person_key, rfm.as_of_date
),

computed_tiers as (
    select
        first_matching_rules.person_key,
        first_matching_rules.as_of_date,
        rules.rule_id,
        rules.tier
    from first_matching_rules
    inner join rules
        on first_matching_rules.priority = rules.priority
),

-- The manual override valid on each date (valid_from to valid_to inclusive): the latest
-- valid_from wins, then the better tier, then the reason.
valid_overrides as (
    select *
    from (
        select
            overrides.person_key,
            as_of_dates.as_of_date,
            overrides.tier,
            overrides.reason,
            overrides.approved_by,
            overrides.valid_to,
            row_number() over (
                partition by overrides.person_key, as_of_dates.as_of_date
                order by overrides.valid_from desc, tiers.tier_rank asc, overrides.reason asc
            ) as override_rank
        from overrides
        inner join periods as as_of_dates
            on overrides.valid_from <= as_of_dates.as_of_date
            and (overrides.valid_to is null or overrides.valid_to >= as_of_dates.as_of_date)
        inner join tiers
            on overrides.tier = tiers.tier
        where overrides.person_key is not null
    ) as ranked_overrides
    where override_rank = 1
),

final as (
    select
        rfm.person_key,
        coalesce(valid_overrides.tier, computed_tiers.tier) as tier,
        tiers.tier_rank,
        computed_tiers.tier as computed_tier,
        computed_tiers.rule_id as tier_rule_id,
        valid_overrides.person_key is not null as is_overridden,
        segment_cells.segment as rfm_segment,
        rfm.lifecycle_stage,
        rfm.abc_class,
        rfm.rfm_cell,
        rfm.r_score,
        rfm.f_score,
        rfm.m_score,
        rfm.fm_score,
        rfm.recency_days,
        rfm.frequency,
        rfm.monetary,
        rfm.lifetime_orders,
        rfm.lifetime_net_revenue_cny,
        rfm.first_order_date,
        rfm.last_order_date,
        rfm.as_of_date,
        valid_overrides.reason as override_reason,
        valid_overrides.approved_by as override_approved_by,
        valid_overrides.valid_to as override_valid_to,
        -- Last: Spark stores a table's partition column last (the history is partitioned by it).
        rfm.period_start
    from rfm
    left join computed_tiers
        on rfm.person_key = computed_tiers.person_key
        and rfm.as_of_date = computed_tiers.as_of_date
    left join valid_overrides
        on rfm.person_key = valid_overrides.person_key
        and rfm.as_of_date = valid_overrides.as_of_date
    left join tiers
        on coalesce(valid_overrides.tier, computed_tiers.tier) = tiers.tier
    left join segment_cells
        on rfm.r_score = segment_cells.r_score
        and rfm.fm_score = segment_cells.fm_score
)

select * from final
