{#- The customer_rfm columns for the rows of `metrics` (rfm_metrics_per_person): R, F and M
    scores, the RFM cell and the ABC class, each as_of_date scored as its own population. -#}
{% macro rfm_scored(metrics) -%}
    select
        person_key,
        as_of_date,
        recency_days,
        frequency,
        monetary,
        cast(r_score as {{ dbt.type_int() }}) as r_score,
        cast(f_score as {{ dbt.type_int() }}) as f_score,
        cast(m_score as {{ dbt.type_int() }}) as m_score,
        {{ dbt.concat([
            'cast(r_score as ' ~ dbt.type_string() ~ ')',
            'cast(f_score as ' ~ dbt.type_string() ~ ')',
            'cast(m_score as ' ~ dbt.type_string() ~ ')']) }} as rfm_cell,
        case
            when monetary <= 0 then 'C'
            when revenue_before < total_revenue * {{ var('abc_a_share') }} then 'A'
            when revenue_before < total_revenue * {{ var('abc_b_share') }} then 'B'
            else 'C'
        end as abc_class,
        lifecycle_stage,
        first_order_date,
        last_order_date,
        lifetime_orders,
        lifetime_net_revenue_cny
    from (
        select
            *,
            {{ stratify.rfm_score('recency_days', 'recency_days', higher_is_better=false, partition_by='as_of_date') }} as r_score,
            {{ stratify.rfm_score('frequency', 'frequency', partition_by='as_of_date') }} as f_score,
            {{ stratify.rfm_score('monetary', 'monetary', partition_by='as_of_date') }} as m_score,
            coalesce(sum(monetary) over (
                partition by as_of_date
                order by monetary desc, person_key
                rows between unbounded preceding and 1 preceding
            ), 0) as revenue_before,
            -- decimal(28,10) (18 integer digits) keeps total_revenue * share exact on Spark,
            -- whose decimal(38,10) * 0.8 would be rounded to 9 decimals.
            cast(sum(monetary) over (partition by as_of_date) as decimal(28, 10)) as total_revenue
        from {{ metrics }}
    ) as scored
{%- endmacro %}
