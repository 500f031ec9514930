-- One row per person with browsing events (var browsing_event_types) in the last
-- silent_potential_days up to as_of_date. An event without a customer_id belongs to the
-- member its anonymous_id was seen with when logged in (the lowest such customer_id).
with

events as (
    select * from {{ ref('stg_raw__events') }}
    where is_latest_version
),

nodes as (select * from {{ ref('int_identity_nodes_labelled') }}),

as_of as (select * from {{ ref('int_as_of_date') }}),

logged_in_devices as (
    select
        anonymous_id,
        min(customer_id) as customer_id
    from events
    where customer_id is not null and anonymous_id is not null
    group by anonymous_id
),

recent_events as (
    select
        coalesce(events.customer_id, logged_in_devices.customer_id) as customer_id,
        events.event_type,
        events.occurred_at
    from events
    cross join as_of
    left join logged_in_devices
        on events.anonymous_id = logged_in_devices.anonymous_id
    where
        events.event_type in ({{ "'" ~ var('browsing_event_types') | join("', '") ~ "'" }})
        and events.event_date <= as_of.as_of_date
        and {{ dbt.datediff('events.event_date', 'as_of.as_of_date', 'day') }}
        < {{ var('silent_potential_days') }}
),

final as (
    select
        nodes.person_key,
        cast(count(*) as {{ dbt.type_bigint() }}) as recent_browsing_events,
        cast(sum(case when recent_events.event_type = 'search' then 1 else 0 end) as {{ dbt.type_bigint() }})
            as recent_searches,
        max(recent_events.occurred_at) as last_browsing_at
    from recent_events
    inner join nodes
        on nodes.node = {{ dbt.concat(["'customer_id:'", 'recent_events.customer_id']) }}
    group by nodes.person_key
)

select * from final
