{#- One row per person and as_of_date from `qualifying_orders` (the rows of
    qualifying_orders_as_of): the raw R, F and M metrics and the lifecycle stage of the
    data contract, section 2. -#}
{% macro rfm_metrics_per_person(qualifying_orders) -%}
    {%- set per_person -%}
    (
        select
            person_key,
            as_of_date,
            min(order_date) as first_order_date,
            max(order_date) as last_order_date,
            max(case when recency_rank = 2 then order_date end) as previous_order_date,
            cast(min(days_before_as_of) as {{ dbt.type_int() }}) as recency_days,
            cast(sum(case when days_before_as_of < {{ var('lookback_days') }} then 1 else 0 end)
                as {{ dbt.type_bigint() }}) as frequency,
            cast(coalesce(sum(
                case when days_before_as_of < {{ var('lookback_days') }} then net_revenue_cny end
            ), 0) as decimal(38, 10)) as monetary,
            cast(count(*) as {{ dbt.type_bigint() }}) as lifetime_orders,
            cast(sum(net_revenue_cny) as decimal(38, 10)) as lifetime_net_revenue_cny
        from (
            select
                *,
                row_number() over (
                    partition by person_key, as_of_date order by ordered_at desc, order_id desc
                ) as recency_rank
            from {{ qualifying_orders }}
        ) as ranked_orders
        group by person_key, as_of_date
    ) as per_person
    {%- endset -%}
    {{ stratify.lifecycle_stage_added(per_person) }}
{%- endmacro %}
