{#- P(alive) of BG/NBD (Fader, Hardie & Lee 2005, eq. 11) as a SQL expression:
    1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x)), written with the
    odds' logarithm, which stays finite for any frequency. The log-odds are clamped to
    +-700 because PostgreSQL raises an error where exp() over- or underflows: P(alive) below
    1e-304 reads as 1e-304. Null where a parameter is null. -#}
{% macro clv_p_alive(x, t_x, age_t, r, alpha, a, b) -%}
    case
        when {{ r }} is null or {{ alpha }} is null or {{ a }} is null or {{ b }} is null then null
        when {{ x }} = 0 then 1.0
        else 1.0 / (1.0 + exp(least(greatest(
            ln({{ a }}) - ln({{ b }} + {{ x }} - 1)
            + ({{ r }} + {{ x }}) * (ln({{ alpha }} + {{ age_t }}) - ln({{ alpha }} + {{ t_x }})),
            -700.0), 700.0)))
    end
{%- endmacro %}
