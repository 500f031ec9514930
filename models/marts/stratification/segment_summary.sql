-- One row per segment type and segment as of the run (RFM segment and each behavioural
-- segment): persons, revenue, margin and their shares within the segment type.
with

segments as (select * from {{ ref('customer_segments') }}),

signals as (select * from {{ ref('customer_signals') }}),

-- Each person's figures, joined once; then one copy of them per segment type.
persons as (
    select
        segments.*,
        signals.monetary,
        signals.margin_cny
    from segments
    inner join signals
        on segments.person_key = signals.person_key
),

{%- set segment_types = ['rfm_segment', 'frequency_class', 'price_sensitivity', 'geography_class',
                         'lifecycle_stage', 'preferred_channel', 'preferred_category', 'acquisition_source'] %}

persons_long as (
    {%- for segment_type in segment_types %}
    select
        as_of_date,
        '{{ segment_type }}' as segment_type,
        coalesce({{ segment_type }}, 'none') as segment,
        frequency,
        monetary,
        margin_cny
    from persons
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

per_segment as (
    select
        max(as_of_date) as as_of_date,
        segment_type,
        segment,
        cast(count(*) as {{ dbt.type_bigint() }}) as persons,
        cast(sum(frequency) as {{ dbt.type_bigint() }}) as orders,
        cast(sum(monetary) as decimal(38, 10)) as revenue_cny,
        cast(sum(margin_cny) as decimal(38, 10)) as margin_cny
    from persons_long
    group by segment_type, segment
),

final as (
    select
        as_of_date,
        segment_type,
        segment,
        persons,
        cast(persons as {{ stratify.type_double() }})
        / sum(persons) over (partition by segment_type) as share_of_persons,
        orders,
        revenue_cny,
        cast(revenue_cny as {{ stratify.type_double() }})
        / nullif(sum(revenue_cny) over (partition by segment_type), 0) as share_of_revenue,
        margin_cny,
        cast(revenue_cny as {{ stratify.type_double() }}) / nullif(orders, 0) as average_order_value_cny
    from per_segment
)

select * from final
