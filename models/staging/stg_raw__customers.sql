-- One row per member id: the latest usable version. PII leaves only as hashes.
with

checked as (
    select * from {{ ref('base_raw__customers') }}
    where reject_reason is null
),

latest as (
    {{ stratify.keep_first_per_key(
        'checked', 'customer_id',
        'updated_at desc nulls last, email_normalized, phone_normalized, signup_at, city'
    ) }}
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
        updated_at
    from latest
)

select * from final
