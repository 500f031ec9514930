-- One row per raw table: where every raw row went. raw_rows = used_rows +
-- duplicate_rows + rejected_rows must hold (tested), so no row is silently lost.
{%- set tables = [
    ('customers', 'stg_raw__customers', 'stg_raw__customers'),
    ('orders', 'stg_raw__orders', 'fct_orders'),
    ('order_items', 'stg_raw__order_items', 'fct_order_items'),
    ('products', 'stg_raw__products', 'stg_raw__products'),
    ('fx_rates', 'stg_raw__fx_rates', 'stg_raw__fx_rates'),
    ('events', 'stg_raw__events', 'stg_raw__events'),
    ('support_tickets', 'stg_raw__support_tickets', 'stg_raw__support_tickets'),
] %}

with

{% for table, deduplicated, used in tables -%}
{{ table }}_counts as (
    select
        '{{ table }}' as table_name,
        (select count(*) from {{ source('raw', table) }}) as raw_rows,
        (
            select count(*) from {{ ref('base_raw__' ~ table) }}
            where reject_reason is null
        )
        - (select count(*) from {{ ref(deduplicated) }}) as duplicate_rows,
        (select count(*) from {{ ref('rejected_' ~ table) }}) as rejected_rows,
        (select count(*) from {{ ref(used) }}) as used_rows
),

{% endfor -%}

unioned as (
    {%- for table, deduplicated, used in tables %}
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
