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

orders as (select * from {{ ref('int_orders_attributed_to_persons') }}),

period_ends as (select * from {{ ref('int_history_period_ends') }}),

rules as (select * from {{ ref('tier_rules') }}),

tiers as (select * from {{ ref('tiers') }}),

overrides as (select * from {{ ref('int_tier_overrides_resolved') }}),

segment_map as (select * from {{ ref('rfm_segment_map') }}),

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

qualifying_orders as (
    {{ stratify.qualifying_orders_as_of('orders', 'periods') }}
),

metrics as (
    {{ stratify.rfm_metrics_per_person('qualifying_orders') }}
),

rfm as (
    {{ stratify.rfm_scored('metrics') }}
),

tiered as (
    {{ stratify.tiers_assigned('rfm', 'rules', 'tiers', 'overrides') }}
),

final as (
    {{ stratify.person_state('rfm', 'tiered', 'segment_map') }}
)

select * from final
