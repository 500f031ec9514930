-- The observed history: one row per person whose state (tier, RFM segment, lifecycle
-- stage, ABC class, scores) changed on a build's as_of_date, written into the partition
-- snapshot_date = as_of_date: 'new' (first seen), 'changed', or 'deleted' (scored before,
-- gone now). The portable stand-in for the dbt snapshot customer_state_snapshot, which
-- Spark cannot run here (docs/history.md). A re-run of the same date rewrites its own
-- partition from the states before it, so it is idempotent. full_refresh=false: the log
-- cannot be rebuilt from the data, so --full-refresh never wipes it.
{{ config(
    materialized='incremental',
    unique_key='snapshot_date',
    partition_by=stratify.partitioned_by('snapshot_date'),
    full_refresh=false,
    on_schema_change='append_new_columns'
) }}
{%- set tracked = ['tier', 'rfm_segment', 'lifecycle_stage', 'abc_class', 'r_score', 'f_score', 'm_score'] %}
with

states as (select * from {{ ref('customer_state') }}),

as_of as (select * from {{ ref('int_as_of_date') }}),

current_states as (
    select
        states.*,
        {{ stratify.state_fingerprint(tracked) }} as state_fingerprint
    from states
),

{% if is_incremental() %}
logged as (select * from {{ this }}),

-- Each person's latest logged row before this run's date (a deletion included).
previous_states as (
    select *
    from (
        select
            logged.*,
            row_number() over (partition by logged.person_key order by logged.snapshot_date desc) as recency_rank
        from logged
        cross join as_of
        where logged.snapshot_date < as_of.as_of_date
    ) as ranked
    where recency_rank = 1
),
{% else %}
previous_states as (
    select
        person_key,
        cast(null as {{ dbt.type_string() }}) as state_fingerprint,
        cast(null as {{ dbt.type_string() }}) as change_type
    from current_states
    where 1 = 0
),
{% endif %}

changes as (
    select
        coalesce(current_states.person_key, previous_states.person_key) as person_key,
        case
            when current_states.person_key is null then 'deleted'
            when previous_states.person_key is null or previous_states.change_type = 'deleted' then 'new'
            else 'changed'
        end as change_type,
        {%- for column in tracked %}
        current_states.{{ column }},
        {%- endfor %}
        current_states.state_fingerprint
    from current_states
    full outer join previous_states
        on current_states.person_key = previous_states.person_key
    where
        (current_states.person_key is null and previous_states.change_type != 'deleted')
        or previous_states.person_key is null
        or previous_states.change_type = 'deleted'
        or current_states.state_fingerprint != previous_states.state_fingerprint
),

final as (
    select
        changes.*,
        as_of.as_of_date as snapshot_date
    from changes
    cross join as_of
)

select * from final
