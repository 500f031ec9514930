-- One row per tier (every tier of the seed, empty ones too) as of the run: persons,
-- revenue, margin, their shares, and the cumulative revenue share from the best tier
-- down (the Pareto view).
with

tiers as (select * from {{ ref('tiers') }}),

customer_tiers as (select * from {{ ref('customer_tiers') }}),

signals as (select * from {{ ref('customer_signals') }}),

per_tier as (
    select
        customer_tiers.tier,
        count(*) as persons,
        sum(customer_tiers.frequency) as orders,
        cast(sum(customer_tiers.monetary) as decimal(38, 10)) as revenue_cny,
        cast(sum(signals.margin_cny) as decimal(38, 10)) as margin_cny
    from customer_tiers
    inner join signals
        on customer_tiers.person_key = signals.person_key
    group by customer_tiers.tier
),

filled as (
    select
        tiers.tier,
        tiers.tier_rank,
        tiers.tier_label,
        cast(coalesce(per_tier.persons, 0) as {{ dbt.type_bigint() }}) as persons,
        cast(coalesce(per_tier.orders, 0) as {{ dbt.type_bigint() }}) as orders,
        cast(coalesce(per_tier.revenue_cny, 0) as decimal(38, 10)) as revenue_cny,
        cast(coalesce(per_tier.margin_cny, 0) as decimal(38, 10)) as margin_cny
    from tiers
    left join per_tier
        on tiers.tier = per_tier.tier
),

final as (
    select
        (select max(customer_tiers.as_of_date) from customer_tiers) as as_of_date,
        tier,
        tier_rank,
        tier_label,
        persons,
        cast(persons as {{ stratify.type_double() }}) / nullif(sum(persons) over (), 0) as share_of_persons,
        orders,
        revenue_cny,
        cast(revenue_cny as {{ stratify.type_double() }}) / nullif(sum(revenue_cny) over (), 0) as share_of_revenue,
        cast(
            sum(revenue_cny) over (order by tier_rank rows between unbounded preceding and current row)
            as {{ stratify.type_double() }}
        ) / nullif(sum(revenue_cny) over (), 0) as cumulative_share_of_revenue,
        margin_cny,
        cast(margin_cny as {{ stratify.type_double() }}) / nullif(sum(margin_cny) over (), 0) as share_of_margin,
        cast(revenue_cny as {{ stratify.type_double() }}) / nullif(orders, 0) as average_order_value_cny,
        cast(revenue_cny as {{ stratify.type_double() }}) / nullif(persons, 0) as revenue_per_person_cny
    from filled
)

select * from final
