-- One row per person and period end of int_history_period_ends: the state the person had
-- on that date, recomputed from the orders with the as-of rules of the data contract (the
-- same macros as customer_rfm, customer_tiers and customer_state), so the history is
-- complete from the first build. Incremental: a run recomputes only the new periods and
-- those that late data can have changed (see the `restated` CTE); each period is replaced
-- whole, as its scores are relative to everyone scored that day.
{{ config(
    materialized='incremental',
    unique_key='as_of_date',
    partition_by=stratify.partitioned_by('as_of_date'),
    on_schema_change='append_new_columns'
) }}
with

orders as (select * from {{ ref('fct_orders') }}),

period_ends as (select * from {{ ref('int_history_period_ends') }}),

rules as (select * from {{ ref('tier_rules') }}),

tiers as (select * from {{ ref('tiers') }}),

overrides as (select * from {{ ref('int_tier_overrides_resolved') }}),

segment_map as (select * from {{ ref('rfm_segment_map') }}),

segment_cells as (
    {{ stratify.rfm_segment_cells('segment_map') }}
),

-- Today's scored persons (read by incremental runs only; outside the `if` below so that
-- dbt, which parses the model as not incremental, records the dependency; sqlfluff lints
-- the same rendering, hence noqa for "unused CTE").
current_persons as (select * from {{ ref('int_persons_rfm_metrics') }}),  -- noqa: ST03

{% if is_incremental() %}
built as (select * from {{ this }}),

-- Periods to recompute: every period since the oldest order delivered after the newest
-- period built (a late return changes the periods after its order), since the first
-- order of a person whose key is gone (merged into another person by new identity links,
-- or no longer scored: their past states move to other keys), and the periods ending
-- within late_arriving_days of the newest one (changes that do not show in updated_at,
-- e.g. a corrected fx rate).
restated as (
    select min(restate_from) as restate_from
    from (
        select {{ dbt.dateadd('day', -var('late_arriving_days'), 'max(as_of_date)') }} as restate_from
        from built
        union all
        select min(orders.order_date) as restate_from
        from orders
        where cast(orders.updated_at as date) > (select max(all_built.as_of_date) from built as all_built)
        union all
        select min(built.first_order_date) as restate_from
        from built
        left join current_persons
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
-- period from which it is older than lookback_days.
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
metrics_of_periods_written as (
    select metrics_per_period.*
    from metrics_per_period
    inner join periods
        on metrics_per_period.as_of_date = periods.as_of_date
),

metrics as (
    {{ stratify.lifecycle_stage_added('metrics_of_periods_written') }}
),

rfm as (
    {{ stratify.rfm_scored('metrics') }}
),

tiered as (
    {{ stratify.tiers_assigned('rfm', 'rules', 'tiers', 'overrides') }}
),

final as (
    {{ stratify.person_state('rfm', 'tiered', 'segment_cells') }}
)

select * from final
