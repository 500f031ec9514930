{#- Whether this run scores persons (customer_predictions: P(alive), expected value per
    purchase, churn risk): where it fits the models, or on any engine given the var
    clv_parameters, scored in SQL from them. -#}
{% macro clv_is_scored() -%}
    {{ return(var('clv_enabled', true) and (stratify.clv_is_fitted() or var('clv_parameters') is not none)) }}
{%- endmacro %}
