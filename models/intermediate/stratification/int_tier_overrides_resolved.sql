-- One row per manual tier override of the seed tier_overrides, with the person it names:
-- its person_key, or the person of its member id. The cells are typed by hand: text is
-- trimmed, and a blank cell counts as empty.
with

overrides as (select * from {{ ref('tier_overrides') }}),

nodes as (select * from {{ ref('int_identity_nodes_labelled') }}),

cleaned as (
    select
        {{ stratify.clean_text('customer_id') }} as customer_id,
        {{ stratify.clean_text('person_key') }} as person_key,
        {{ stratify.clean_text('tier') }} as tier,
        {{ stratify.clean_text('reason') }} as reason,
        valid_from,
        valid_to,
        {{ stratify.clean_text('approved_by') }} as approved_by
    from overrides
),

final as (
    select
        cleaned.customer_id,
        cleaned.person_key as named_person_key,
        coalesce(cleaned.person_key, nodes.person_key) as person_key,
        cleaned.tier,
        cleaned.reason,
        cleaned.valid_from,
        cleaned.valid_to,
        cleaned.approved_by
    from cleaned
    left join nodes
        on nodes.node = {{ dbt.concat(["'customer_id:'", 'cleaned.customer_id']) }}
)

select * from final
