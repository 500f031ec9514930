-- Every raw customer row, typed and normalised, with the reason it cannot be used (if any).
with

source as (select * from {{ source('raw', 'customers') }}),

typed as (
    select
        {{ stratify.raw_text_columns(
            ['customer_id', 'signup_at', 'signup_source', 'referred_by', 'city', 'province', 'country_code', 'marketing_opt_in', 'updated_at']
        ) }},
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
)

select * from checked
