-- Every raw customers row, read once: typed and normalised, with the reason it cannot be
-- used (reject_reason) and whether it is the latest usable version of its member id
-- (is_latest_version). Full name, email and phone leave staging only as hashes (or not at all).
{%- set raw_columns = ['customer_id', 'signup_at', 'signup_source', 'referred_by', 'city', 'province',
    'country_code', 'marketing_opt_in', 'updated_at'] %}
with

source as (select * from {{ source('raw', 'customers') }}),

typed as (
    select
        {{ stratify.raw_text_columns(raw_columns) }},
        {{ stratify.clean_text('customer_id') }} as customer_id,
        {{ stratify.normalize_email('email') }} as email_normalized,
        {{ stratify.normalize_phone('phone') }} as phone_normalized,
        {{ dbt.safe_cast('signup_at', dbt.type_timestamp()) }} as signup_at,
        {{ stratify.clean_code('signup_source') }} as signup_source,
        {{ stratify.clean_text('referred_by') }} as referred_by,
        {{ stratify.clean_text('city') }} as city,
        {{ stratify.clean_text('province') }} as province,
        {{ stratify.clean_code('country_code', case='upper') }} as country_code,
        {{ dbt.safe_cast('birth_date', 'date') }} as birth_date,
        {{ dbt.safe_cast('marketing_opt_in', dbt.type_boolean()) }} as marketing_opt_in,
        {{ dbt.safe_cast('updated_at', dbt.type_timestamp()) }} as updated_at
    from source
),

checked as (
    select
        *,
        {{ stratify.first_reject_reason([
            ('missing_customer_id', 'customer_id is null'),
            ('unparseable_signup_at', stratify.clean_text('raw_signup_at') ~ ' is not null and signup_at is null'),
            ('unparseable_updated_at', stratify.clean_text('raw_updated_at') ~ ' is not null and updated_at is null'),
        ]) }} as reject_reason
    from typed
),

final as (
    select
        customer_id,
        {{ stratify.sha256_hex('email_normalized') }} as email_hash,
        {{ stratify.sha256_hex('phone_normalized') }} as phone_hash,
        signup_at,
        coalesce(signup_source, 'unknown') as signup_source,
        referred_by,
        city,
        province,
        country_code,
        birth_date,
        coalesce(marketing_opt_in, false) as marketing_opt_in,
        updated_at,
        reject_reason,
        -- The latest updated_at wins; the other columns only make the choice the same on every
        -- engine when two versions share an updated_at.
        {{ stratify.is_latest_version(
            'customer_id', 'updated_at desc nulls last, email_normalized, phone_normalized, signup_at, city'
        ) }} as is_latest_version,
        {{ stratify.quarantined_raw_columns(raw_columns) }}
    from checked
)

select * from final
