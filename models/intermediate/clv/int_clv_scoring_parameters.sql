{{ config(enabled=stratify.clv_is_scored()) }}
-- The BG/NBD and Gamma-Gamma parameters persons are scored with, one row: the var
-- clv_parameters where given (any engine), else the 'scoring' fit of int_clv_model_fits.
with

{% set given = var('clv_parameters') -%}
{% if given is not none -%}
final as (
    select
        {%- for name in ['r', 'alpha', 'a', 'b', 'p', 'q', 'gamma'] %}
        cast({{ given[name] }} as {{ stratify.type_double() }}) as {{ name }},
        {%- endfor %}
        {{ stratify.quoted_text('given') }} as parameters_source
)
{%- else -%}
fits as (select * from {{ ref('int_clv_model_fits') }}),

final as (
    select
        {%- for name in ['r', 'alpha', 'a', 'b', 'p', 'q', 'gamma'] %}
        cast(max(case when parameter = '{{ name }}' then value end) as {{ stratify.type_double() }}) as {{ name }},
        {%- endfor %}
        {{ stratify.quoted_text('fitted') }} as parameters_source
    from fits
    where fit = 'scoring'
)
{%- endif %}

select * from final
