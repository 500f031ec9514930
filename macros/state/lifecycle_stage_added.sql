{#- The rows of `per_person` (person_key, as_of_date, first/last/previous order date,
    recency_days, ...) with the days since the first order, the gap between the last two
    orders and the lifecycle stage (contract section 2). -#}
{% macro lifecycle_stage_added(per_person) -%}
    {%- set days_since_first_order = dbt.datediff('first_order_date', 'as_of_date', 'day') -%}
    {%- set gap_between_last_two_orders = dbt.datediff('previous_order_date', 'last_order_date', 'day') -%}
    select
        *,
        {{ days_since_first_order }} as days_since_first_order,
        {{ gap_between_last_two_orders }} as days_between_last_two_orders,
        case
            when {{ days_since_first_order }} <= {{ var('lifecycle_new_days') }} then 'new'
            when recency_days <= {{ var('lifecycle_reactivated_recency_days') }}
                and {{ gap_between_last_two_orders }} > {{ var('lifecycle_reactivated_gap_days') }}
                then 'reactivated'
            when recency_days <= {{ var('lifecycle_active_days') }} then 'active'
            when recency_days <= {{ var('lifecycle_at_risk_days') }} then 'at_risk'
            when recency_days <= {{ var('lifecycle_dormant_days') }} then 'dormant'
            else 'churned'
        end as lifecycle_stage
    from {{ per_person }}
{%- endmacro %}
