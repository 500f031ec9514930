{#- One row per person and as_of_date: the state the history tracks (tier, RFM segment,
    lifecycle stage, ABC class, scores) with the metrics behind it. `rfm`: rows shaped like
    customer_rfm; `tiered`: like customer_tiers (same persons and dates); `segment_cells`:
    the grid cells of rfm_segment_cells. -#}
{% macro person_state(rfm, tiered, segment_cells) -%}
    {%- set fm_score = stratify.fm_score(rfm ~ '.f_score', rfm ~ '.m_score') -%}
    select
        {{ rfm }}.person_key,
        {{ tiered }}.tier,
        {{ tiered }}.tier_rank,
        {{ tiered }}.computed_tier,
        {{ tiered }}.tier_rule_id,
        {{ tiered }}.is_overridden,
        {{ segment_cells }}.segment as rfm_segment,
        {{ rfm }}.lifecycle_stage,
        {{ rfm }}.abc_class,
        {{ rfm }}.rfm_cell,
        {{ rfm }}.r_score,
        {{ rfm }}.f_score,
        {{ rfm }}.m_score,
        {{ fm_score }} as fm_score,
        {{ rfm }}.recency_days,
        {{ rfm }}.frequency,
        {{ rfm }}.monetary,
        {{ rfm }}.lifetime_orders,
        {{ rfm }}.lifetime_net_revenue_cny,
        {{ rfm }}.first_order_date,
        {{ rfm }}.last_order_date,
        -- Last: Spark stores a table's partition column last (the history is partitioned by it).
        {{ rfm }}.as_of_date
    from {{ rfm }}
    inner join {{ tiered }}
        on {{ tiered }}.person_key = {{ rfm }}.person_key
        and {{ tiered }}.as_of_date = {{ rfm }}.as_of_date
    left join {{ segment_cells }}
        on {{ rfm }}.r_score = {{ segment_cells }}.r_score
        and {{ fm_score }} = {{ segment_cells }}.fm_score
{%- endmacro %}
