-- Every row of the seed action_playbook matches a label that exists for its match_type:
-- a row here is an action no person could ever get (a typo, or a renamed label).
{%- set fixed_labels = {
    'frequency_class': ['one_time', 'occasional', 'frequent'],
    'price_sensitivity': ['high', 'medium', 'low', 'unknown'],
    'geography_class': ['local', 'domestic', 'international', 'unknown'],
    'signal': stratify.signal_names(),
} %}
with

known_labels as (
    select
        'tier' as match_type,
        tier as match_value
    from {{ ref('tiers') }}
    union all
    select
        'rfm_segment' as match_type,
        segment as match_value
    from {{ ref('rfm_segments') }}
    union all
    select
        'lifecycle_stage' as match_type,
        lifecycle_stage as match_value
    from {{ ref('lifecycle_phases') }}
    {%- for match_type, values in fixed_labels.items() %}
    {%- for value in values %}
    union all
    select
        '{{ match_type }}' as match_type,
        '{{ value }}' as match_value
    {%- endfor %}
    {%- endfor %}
)

select
    playbook.action_id,
    playbook.match_type,
    playbook.match_value
from {{ ref('action_playbook') }} as playbook
left join known_labels
    on playbook.match_type = known_labels.match_type
    and playbook.match_value = known_labels.match_value
where known_labels.match_type is null
