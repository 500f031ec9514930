-- One row per person (stitched member accounts, members known only from orders, and guest
-- identities), with descriptive attributes from the person's primary member record (the
-- earliest signup) and, as of as_of_date, the order summary and lifecycle stage. People
-- without a qualifying order are 'prospect'. No raw PII.
with

nodes as (select * from {{ ref('int_identity_nodes_labelled') }}),

customers as (
    select * from {{ ref('stg_raw__customers') }}
    where is_latest_version
),

metrics as (select * from {{ ref('customer_rfm') }}),

as_of as (select * from {{ ref('int_as_of_date') }}),

persons as (
    select
        person_key,
        sum(case when node like 'customer_id:%' then 1 else 0 end) as member_id_count
    from nodes
    group by person_key
),

member_records as (
    select
        nodes.person_key,
        customers.*,
        row_number() over (
            partition by nodes.person_key order by customers.signup_at nulls last, customers.customer_id
        ) as signup_rank,
        count(*) over (partition by nodes.person_key) as member_record_count
    from customers
    inner join nodes
        on nodes.node = {{ dbt.concat(["'customer_id:'", 'customers.customer_id']) }}
),

primary_member as (
    select * from member_records
    where signup_rank = 1
),

referrers as (
    select
        nodes.person_key,
        {{ dbt.right('nodes.node', dbt.length('nodes.node') ~ ' - 12') }} as customer_id
    from nodes
    where nodes.node like 'customer_id:%'
),

final as (
    select
        persons.person_key,
        primary_member.customer_id as primary_customer_id,
        case
            when primary_member.customer_id is not null then 'member'
            when persons.member_id_count > 0 then 'order_only_member'
            else 'guest'
        end as person_type,
        cast(persons.member_id_count as {{ dbt.type_int() }}) as member_id_count,
        cast(coalesce(primary_member.member_record_count, 0) as {{ dbt.type_int() }}) as member_record_count,
        primary_member.signup_at,
        primary_member.signup_source,
        referrers.person_key as referred_by_person_key,
        primary_member.city,
        primary_member.province,
        primary_member.country_code,
        primary_member.marketing_opt_in,
        as_of.as_of_date,
        metrics.first_order_date,
        metrics.last_order_date,
        coalesce(metrics.lifetime_orders, 0) as lifetime_orders,
        coalesce(metrics.lifetime_net_revenue_cny, 0) as lifetime_net_revenue_cny,
        metrics.person_key is not null as is_scored,
        coalesce(metrics.lifecycle_stage, 'prospect') as lifecycle_stage
    from persons
    cross join as_of
    left join primary_member
        on persons.person_key = primary_member.person_key
    left join referrers
        on primary_member.referred_by = referrers.customer_id
    left join metrics
        on persons.person_key = metrics.person_key
)

select * from final
