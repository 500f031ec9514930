-- One row per person with support tickets opened on or before as_of_date: complaints
-- still open on that date, and tickets and CSAT ratings in the lookback window. A ticket
-- belongs to its customer_id's person, else to the person of its contact email.
with

tickets as (
    select * from {{ ref('stg_raw__support_tickets') }}
    where is_latest_version
),

nodes as (select * from {{ ref('int_identity_nodes_labelled') }}),

as_of as (select * from {{ ref('int_as_of_date') }}),

attributed as (
    select
        coalesce(member_nodes.person_key, email_nodes.person_key) as person_key,
        tickets.topic,
        tickets.csat_score,
        cast(tickets.opened_at as date) as opened_date,
        cast(tickets.closed_at as date) as closed_date,
        as_of.as_of_date
    from tickets
    cross join as_of
    left join nodes as member_nodes
        on member_nodes.node = {{ dbt.concat(["'customer_id:'", 'tickets.customer_id']) }}
    left join nodes as email_nodes
        on email_nodes.node = {{ dbt.concat(["'email:'", 'tickets.contact_email_hash']) }}
    where cast(tickets.opened_at as date) <= as_of.as_of_date
),

in_window as (
    select
        *,
        {{ dbt.datediff('opened_date', 'as_of_date', 'day') }}
        < {{ var('lookback_days') }} as is_in_window,
        topic = 'complaint' and (closed_date is null or closed_date > as_of_date) as is_open_complaint
    from attributed
    where person_key is not null
),

final as (
    select
        person_key,
        cast(sum(case when is_open_complaint then 1 else 0 end) as {{ dbt.type_bigint() }}) as open_complaints,
        cast(sum(case when is_in_window then 1 else 0 end) as {{ dbt.type_bigint() }}) as window_tickets,
        cast(sum(case when is_in_window and csat_score is not null then 1 else 0 end) as {{ dbt.type_bigint() }})
            as window_csat_ratings,
        cast(sum(case when is_in_window then csat_score end) as {{ dbt.type_bigint() }}) as window_csat_sum
    from in_window
    group by person_key
)

select * from final
