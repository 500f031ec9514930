{#- Gamma-Gamma's expected spend per purchase given x repeat purchases of mean m (Fader,
    Hardie & Lee 2005b, eq. 5) as a SQL expression: p (gamma + x m) / (p x + q - 1), a
    weighted mean of the population mean p gamma / (q - 1) and the person's own mean; the
    population mean for x = 0. Null where a parameter is null or q <= 1 (the mean spend is
    then infinite). -#}
{% macro clv_expected_purchase_value(x, m, p, q, gamma) -%}
    case
        when {{ p }} is null or {{ q }} is null or {{ gamma }} is null or {{ q }} <= 1 then null
        else {{ p }} * ({{ gamma }} + {{ x }} * coalesce({{ m }}, 0)) / ({{ p }} * {{ x }} + {{ q }} - 1)
    end
{%- endmacro %}
