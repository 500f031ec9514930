-- One row per period of the reconstructed history and value of each dimension (tier, RFM
-- segment, lifecycle stage): persons and revenue (monetary over the lookback window),
-- their shares of the period, and the change in persons from the previous period. Every
-- value seen in any period gets a row in every period (0 when empty), so a segment that
-- empties shows as a shrink. assert_no_segment_shrinks_sharply warns on sharp shrinks.
with

history as (select * from {{ ref('customer_state_history') }}),

{%- set dimensions = ['tier', 'rfm_segment', 'lifecycle_stage'] %}

memberships as (
    {%- for dimension in dimensions %}
    select
        as_of_date,
        '{{ dimension }}' as dimension,
        coalesce({{ dimension }}, 'none') as segment,
        monetary
    from history
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

sizes as (
    select
        as_of_date,
        dimension,
        segment,
        count(*) as persons,
        sum(monetary) as revenue
    from memberships
    group by 1, 2, 3
),

periods as (select distinct as_of_date from history),

segments as (
    select distinct
        dimension,
        segment
    from sizes
),

grid as (
    select
        periods.as_of_date,
        segments.dimension,
        segments.segment
    from periods
    cross join segments
),

dense as (
    select
        grid.as_of_date,
        grid.dimension,
        grid.segment,
        cast(coalesce(sizes.persons, 0) as {{ dbt.type_bigint() }}) as persons,
        cast(coalesce(sizes.revenue, 0) as decimal(38, 10)) as revenue
    from grid
    left join sizes
        on grid.as_of_date = sizes.as_of_date
        and grid.dimension = sizes.dimension
        and grid.segment = sizes.segment
),

final as (
    select
        as_of_date,
        dimension,
        segment,
        persons,
        revenue,
        cast(persons as {{ stratify.type_double() }})
        / sum(persons) over (partition by as_of_date, dimension) as persons_share,
        cast(revenue as {{ stratify.type_double() }})
        / nullif(sum(revenue) over (partition by as_of_date, dimension), 0) as revenue_share,
        lag(persons) over (partition by dimension, segment order by as_of_date) as previous_persons,
        persons - lag(persons) over (partition by dimension, segment order by as_of_date) as persons_change
    from dense
)

select * from final
