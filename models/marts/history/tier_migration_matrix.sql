-- Tier migration between consecutive periods of the reconstructed history: one row per
-- period pair, tier before and tier after, with the persons who moved that way ('none':
-- no tier on that side: not yet scored, or no rule matched). Reads as a from x to matrix
-- per to_date.
with

transitions as (select * from {{ ref('int_state_transitions') }}),

moves as (
    select
        from_date,
        to_date,
        coalesce(from_tier, 'none') as from_tier,
        coalesce(to_tier, 'none') as to_tier,
        cast(count(*) as {{ dbt.type_bigint() }}) as persons,
        cast(coalesce(sum(to_monetary), 0) as decimal(38, 10)) as to_monetary
    from transitions
    group by 1, 2, 3, 4
),

final as (
    select
        *,
        cast(persons as {{ stratify.type_double() }})
        / sum(persons) over (partition by from_date, to_date, from_tier) as share_of_from_tier
    from moves
)

select * from final
