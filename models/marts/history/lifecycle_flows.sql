-- Lifecycle flows between consecutive periods of the reconstructed history: one row per
-- period pair, stage before and stage after (new -> active -> at_risk -> dormant ->
-- churned -> reactivated ...), with the persons who moved that way ('prospect' before:
-- first scored in the later period).
with

transitions as (select * from {{ ref('int_state_transitions') }}),

final as (
    select
        from_date,
        to_date,
        coalesce(from_lifecycle_stage, 'prospect') as from_lifecycle_stage,
        to_lifecycle_stage,
        cast(count(*) as {{ dbt.type_bigint() }}) as persons
    from transitions
    where to_lifecycle_stage is not null
    group by 1, 2, 3, 4
)

select * from final
