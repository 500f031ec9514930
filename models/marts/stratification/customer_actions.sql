-- One row per scored person and playbook action that applies to them (seed
-- action_playbook), with the label that triggered it. Actions that need marketing consent
-- are kept but suppressed for people who did not opt in; among the others the lowest
-- priority is the person's next best action. Ready for a CRM to pick up.
with

playbook as (select * from {{ ref('action_playbook') }}),

tiers as (select * from {{ ref('customer_tiers') }}),

segments as (select * from {{ ref('customer_segments') }}),

signals as (select * from {{ ref('customer_signals') }}),

customers as (select * from {{ ref('dim_customers') }}),

labels as (
    select
        person_key,
        'tier' as match_type,
        tier as match_value
    from tiers
    {%- for label in ['rfm_segment', 'lifecycle_stage', 'frequency_class', 'price_sensitivity', 'geography_class'] %}
    union all
    select
        person_key,
        '{{ label }}' as match_type,
        {{ label }} as match_value
    from segments
    {%- endfor %}
    {%- for signal in stratify.signal_names() %}
    union all
    select
        person_key,
        'signal' as match_type,
        '{{ signal }}' as match_value
    from signals
    where {{ signal }}
    {%- endfor %}
),

matched as (
    select
        labels.person_key,
        playbook.action_id,
        playbook.action,
        playbook.channel,
        playbook.owner,
        playbook.priority,
        labels.match_type,
        labels.match_value,
        {{ dbt.concat(['labels.match_type', "' = '", 'labels.match_value', "': '", 'playbook.description']) }}
            as reason,
        playbook.requires_marketing_opt_in and not coalesce(customers.marketing_opt_in, false) as is_suppressed
    from labels
    inner join playbook
        on labels.match_type = playbook.match_type
        and labels.match_value = playbook.match_value
    left join customers
        on labels.person_key = customers.person_key
),

ranked as (
    select
        *,
        case
            when not is_suppressed then row_number() over (
                partition by person_key, is_suppressed order by priority, action_id
            )
        end as action_rank
    from matched
),

final as (
    select
        person_key,
        action_id,
        action,
        channel,
        owner,
        priority,
        match_type,
        match_value,
        reason,
        is_suppressed,
        cast(action_rank as {{ dbt.type_int() }}) as action_rank,
        coalesce(action_rank = 1, false) as is_next_best_action
    from ranked
)

select * from final
