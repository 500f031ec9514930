{#- The FM axis of the RFM segment map, as the var rfm_segment_fm_axis says: 'f' or 'm'
    (that score alone) or 'fm_average' (floor of (F + M) / 2). -#}
{% macro fm_score(f_score, m_score) -%}
    {%- if var('rfm_segment_fm_axis') == 'f' -%}
        {{ f_score }}
    {%- elif var('rfm_segment_fm_axis') == 'm' -%}
        {{ m_score }}
    {%- else -%}
        cast({{ stratify.int_div(f_score ~ ' + ' ~ m_score, 2) }} as {{ dbt.type_int() }})
    {%- endif -%}
{%- endmacro %}
