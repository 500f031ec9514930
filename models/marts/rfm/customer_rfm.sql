-- One row per scored person: R, F, M metrics and tie-safe scores, the RFM cell, the ABC
-- (Pareto) class and the lifecycle stage, as of as_of_date (data contract, section 2).
with

metrics as (select * from {{ ref('int_persons_rfm_metrics') }}),

scored as (
    select
        *,
        {{ stratify.rfm_score('recency_days', 'recency_days', higher_is_better=false) }} as r_score,
        {{ stratify.rfm_score('frequency', 'frequency') }} as f_score,
        {{ stratify.rfm_score('monetary', 'monetary') }} as m_score,
        coalesce(sum(monetary) over (
            order by monetary desc, person_key
            rows between unbounded preceding and 1 preceding
        ), 0) as revenue_before,
        -- decimal(28,10) (18 integer digits) keeps total_revenue * share exact on Spark,
        -- whose decimal(38,10) * 0.8 would be rounded to 9 decimals.
        cast(sum(monetary) over () as decimal(28, 10)) as total_revenue
    from metrics
),

final as (
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
    from scored
)

select * from final
