{#- The boolean signals of customer_signals that the action playbook can match on
    (match_type 'signal'): one list for the model that reads them and the test that
    checks the playbook. -#}
{% macro signal_names() -%}
    {{ return(['is_whale', 'is_super_promoter', 'is_silent_potential', 'is_declining_spender',
               'has_open_complaint', 'is_low_csat', 'is_high_value_at_risk']) }}
{%- endmacro %}
