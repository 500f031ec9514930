{#- Fails on every row of a rules table where a lower bound is above its upper bound, one
    row per broken pair, naming the rule (`key`) and the bound. Bound columns are
    min_<bound> / max_<bound> (style 'prefix') or <bound>_min / <bound>_max ('suffix');
    an empty bound never fails. -#}
{% test bounds_ordered(model, key, bounds, style='prefix') %}
{%- for bound in bounds %}
{%- set low = 'min_' ~ bound if style == 'prefix' else bound ~ '_min' -%}
{%- set high = 'max_' ~ bound if style == 'prefix' else bound ~ '_max' %}
select
    {{ key }} as rule_key,
    '{{ bound }}' as bound,
    cast({{ low }} as {{ dbt.type_string() }}) as lower_bound,
    cast({{ high }} as {{ dbt.type_string() }}) as upper_bound
from {{ model }}
where {{ low }} > {{ high }}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{% endtest %}
