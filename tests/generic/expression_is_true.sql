{#- Fails on every row where `expression` is not true: states an identity or a rule that
    must hold row by row (e.g. net = gross - discount - refunded). -#}
{% test expression_is_true(model, expression) %}
select *
from {{ model }}
where not ({{ expression }})
{% endtest %}
