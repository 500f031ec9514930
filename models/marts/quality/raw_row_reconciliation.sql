-- One row per raw table: where every raw row went. raw_rows = used_rows +
-- duplicate_rows + rejected_rows must hold (tested), so no row is silently lost. Counted
-- from staging (which holds every raw row once), the rejected_* models and the tables that
-- use the rows; the raw files are not read again.
{%- set tables = [
    ('customers', 'stg_raw__customers'),
    ('orders', 'fct_orders'),
    ('order_items', 'fct_order_items'),
    ('products', 'stg_raw__products'),
    ('fx_rates', 'stg_raw__fx_rates'),
    ('events', 'stg_raw__events'),
    ('support_tickets', 'stg_raw__support_tickets'),
] %}

with

{% for table, used in tables -%}
{{ table }}_counts as (
    select
        '{{ table }}' as table_name,
        staged.raw_rows,
        staged.duplicate_rows,
        (select count(*) from {{ ref('rejected_' ~ table) }}) as rejected_rows,
        {%- if used.startswith('stg_raw__') %}
        staged.latest_rows as used_rows
        {%- else %}
        (select count(*) from {{ ref(used) }}) as used_rows
        {%- endif %}
    from (
        select
            count(*) as raw_rows,
            sum(case when reject_reason is null and not is_latest_version then 1 else 0 end) as duplicate_rows,
            sum(case when is_latest_version then 1 else 0 end) as latest_rows
        from {{ ref('stg_raw__' ~ table) }}
    ) as staged
),

{% endfor -%}

unioned as (
    {%- for table, used in tables %}
    select * from {{ table }}_counts
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        table_name,
        cast(raw_rows as {{ dbt.type_bigint() }}) as raw_rows,
        cast(used_rows as {{ dbt.type_bigint() }}) as used_rows,
        cast(duplicate_rows as {{ dbt.type_bigint() }}) as duplicate_rows,
        cast(rejected_rows as {{ dbt.type_bigint() }}) as rejected_rows,
        -- A fixed decimal, so every engine returns the same figure to the digit.
        cast(case
            when raw_rows = 0 then 0
            else cast(rejected_rows as decimal(38, 10)) / raw_rows
        end as decimal(18, 10)) as reject_rate
    from unioned
)

select * from final
