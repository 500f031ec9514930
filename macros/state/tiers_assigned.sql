{#- The customer_tiers columns for the rows of `rfm` (rfm_scored): per person and
    as_of_date, the tier of the first matching rule of `rules` (by priority) unless an
    override of `overrides` valid on that date says otherwise, with the rule or override
    that decided it. `tiers`, `rules` and `overrides`: the seeds tiers, tier_rules and the
    model int_tier_overrides_resolved. -#}
{% macro tiers_assigned(rfm, rules, tiers, overrides) -%}
    select
        {{ rfm }}.person_key,
        {{ rfm }}.as_of_date,
        coalesce(valid_overrides.tier, computed.tier) as tier,
        {{ tiers }}.tier_rank,
        {{ tiers }}.tier_label,
        computed.tier as computed_tier,
        computed.rule_id as tier_rule_id,
        computed.description as tier_rule_description,
        valid_overrides.person_key is not null as is_overridden,
        valid_overrides.reason as override_reason,
        valid_overrides.approved_by as override_approved_by,
        valid_overrides.valid_to as override_valid_to,
        {{ rfm }}.r_score,
        {{ rfm }}.f_score,
        {{ rfm }}.m_score,
        {{ rfm }}.recency_days,
        {{ rfm }}.frequency,
        {{ rfm }}.monetary
    from {{ rfm }}
    left join (
        -- Priorities are unique (a seed test): the first match is the lowest matching one,
        -- an aggregate rather than a ranking of every match.
        select
            first_matches.person_key,
            first_matches.as_of_date,
            {{ rules }}.rule_id,
            {{ rules }}.tier,
            {{ rules }}.description
        from (
            select
                {{ rfm }}.person_key,
                {{ rfm }}.as_of_date,
                min({{ rules }}.priority) as priority
            from {{ rfm }}
            cross join {{ rules }}
            where
                {{ stratify.within_bounds(rfm ~ '.r_score', rules ~ '.min_r_score', rules ~ '.max_r_score') }}
                and {{ stratify.within_bounds(rfm ~ '.f_score', rules ~ '.min_f_score', rules ~ '.max_f_score') }}
                and {{ stratify.within_bounds(rfm ~ '.m_score', rules ~ '.min_m_score', rules ~ '.max_m_score') }}
                and {{ stratify.within_bounds(rfm ~ '.recency_days', rules ~ '.min_recency_days', rules ~ '.max_recency_days') }}
                and {{ stratify.within_bounds(rfm ~ '.frequency', rules ~ '.min_frequency', rules ~ '.max_frequency') }}
                and {{ stratify.within_bounds(rfm ~ '.monetary', rules ~ '.min_monetary', rules ~ '.max_monetary') }}
                -- Average order value = monetary / frequency, compared without dividing (exact);
                -- undefined, so never matching, without orders in the window.
                and (
                    ({{ rules }}.min_avg_order_value is null and {{ rules }}.max_avg_order_value is null)
                    or (
                        {{ rfm }}.frequency > 0
                        and ({{ rules }}.min_avg_order_value is null
                            or {{ rfm }}.monetary >= {{ rules }}.min_avg_order_value * {{ rfm }}.frequency)
                        and ({{ rules }}.max_avg_order_value is null
                            or {{ rfm }}.monetary <= {{ rules }}.max_avg_order_value * {{ rfm }}.frequency)
                    )
                )
            group by {{ rfm }}.person_key, {{ rfm }}.as_of_date
        ) as first_matches
        inner join {{ rules }}
            on {{ rules }}.priority = first_matches.priority
    ) as computed
        on computed.person_key = {{ rfm }}.person_key
        and computed.as_of_date = {{ rfm }}.as_of_date
    left join (
        select
            {{ overrides }}.person_key,
            as_of_dates.as_of_date,
            {{ overrides }}.tier,
            {{ overrides }}.reason,
            {{ overrides }}.approved_by,
            {{ overrides }}.valid_to,
            row_number() over (
                partition by {{ overrides }}.person_key, as_of_dates.as_of_date
                order by {{ overrides }}.valid_from desc, {{ tiers }}.tier_rank, {{ overrides }}.reason
            ) as override_rank
        from {{ overrides }}
        inner join (select distinct as_of_date from {{ rfm }}) as as_of_dates
            on {{ overrides }}.valid_from <= as_of_dates.as_of_date
            and ({{ overrides }}.valid_to is null or {{ overrides }}.valid_to >= as_of_dates.as_of_date)
        inner join {{ tiers }}
            on {{ tiers }}.tier = {{ overrides }}.tier
        where {{ overrides }}.person_key is not null
    ) as valid_overrides
        on valid_overrides.person_key = {{ rfm }}.person_key
        and valid_overrides.as_of_date = {{ rfm }}.as_of_date
        and valid_overrides.override_rank = 1
    left join {{ tiers }}
        on {{ tiers }}.tier = coalesce(valid_overrides.tier, computed.tier)
{%- endmacro %}
