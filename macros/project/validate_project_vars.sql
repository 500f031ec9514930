{#- Checks every business var before anything is built, so a mistyped setting stops the
    run with a message naming the var instead of a wrong mart or an SQL error deep down.
    Renders to nothing: it runs as an on-run-start hook. -#}
{% macro validate_project_vars() %}
    {%- if execute -%}
        {%- do stratify.validate_date_var('as_of_date', allow_null=true) -%}
        {%- do stratify.validate_date_var('min_valid_order_date') -%}
        {%- do stratify.validate_date_var('history_start_date', allow_null=true) -%}
        {%- do stratify.validate_choice_var('history_grain', ['month', 'week']) -%}
        {%- for name in ['lookback_days', 'identity_stitching_rounds', 'lifecycle_new_days',
                         'lifecycle_reactivated_recency_days', 'lifecycle_reactivated_gap_days',
                         'lifecycle_active_days', 'lifecycle_at_risk_days', 'lifecycle_dormant_days',
                         'frequent_min_orders', 'promoter_min_referrals', 'silent_potential_days',
                         'late_arriving_days', 'segment_shrink_min_persons'] -%}
            {%- do stratify.validate_int_var(name, 1, 100000) -%}
        {%- endfor -%}
        {%- do stratify.validate_int_var('rfm_score_buckets', 2, 10) -%}
        {%- if not (var('lifecycle_active_days') < var('lifecycle_at_risk_days') < var('lifecycle_dormant_days')) -%}
            {%- do exceptions.raise_compiler_error(
                "vars lifecycle_active_days < lifecycle_at_risk_days < lifecycle_dormant_days must hold, got "
                ~ var('lifecycle_active_days') ~ ", " ~ var('lifecycle_at_risk_days') ~ ", " ~ var('lifecycle_dormant_days')) -%}
        {%- endif -%}
        {%- for letter, metric in [('r', 'recency_days'), ('f', 'frequency'), ('m', 'monetary')] -%}
            {%- do stratify.validate_choice_var(letter ~ '_score_method', ['quantile', 'threshold']) -%}
            {%- if var(letter ~ '_score_method') == 'threshold' -%}
                {%- do stratify.validate_cut_points(metric) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do stratify.validate_share_pair('abc_a_share', 'abc_b_share') -%}
        {%- do stratify.validate_share_pair('price_sensitivity_medium_share', 'price_sensitivity_high_share') -%}
        {%- do stratify.validate_int_var('declining_spender_months', 1, 24) -%}
        {%- for name, low, high in [('whale_order_multiple', 1, 1000000), ('promoter_min_referred_revenue', 0, 1000000000000),
                                    ('low_csat_threshold', 1, 5), ('declining_spender_drop', 0.01, 1),
                                    ('segment_shrink_warn_share', 0.01, 1)] -%}
            {%- do stratify.validate_number_var(name, low, high) -%}
        {%- endfor -%}
        {%- do stratify.validate_choice_var('rfm_segment_fm_axis', ['fm_average', 'f', 'm']) -%}
        {%- do stratify.validate_list_var('silent_potential_stages',
                                           ['new', 'reactivated', 'active', 'at_risk', 'dormant', 'churned']) -%}
        {%- do stratify.validate_list_var('browsing_event_types',
                                           ['page_view', 'product_view', 'search', 'add_to_cart', 'checkout_start']) -%}
        {%- for name in ['home_province', 'home_country'] -%}
            {%- do stratify.validate_name_var(name) -%}
        {%- endfor -%}
        {%- do stratify.validate_share_pair('reject_rate_warn', 'reject_rate_error') -%}
        {%- do stratify.validate_clv_vars() -%}
    {%- endif -%}
{% endmacro %}


{#- The vars of the CLV models (docs/clv.md). -#}
{% macro validate_clv_vars() %}
    {%- if var('clv_enabled', true) not in [true, false] -%}
        {%- do exceptions.raise_compiler_error("var clv_enabled must be true or false, got " ~ var('clv_enabled') | tojson) -%}
    {%- endif -%}
    {%- set given = var('clv_parameters') -%}
    {%- set names = ['r', 'alpha', 'a', 'b', 'p', 'q', 'gamma'] -%}
    {%- if given is not none and (given is not mapping or given.keys() | sort != names | sort
           or given.values() | reject('number') | list or given.values() | select('le', 0) | list
           or given['q'] <= 1) -%}
        {%- do exceptions.raise_compiler_error(
            "var clv_parameters must be null or map each of r, alpha, a, b, p, q, gamma to a positive number, "
            ~ "with q > 1 (the mean spend per purchase is infinite otherwise), got " ~ given | tojson) -%}
    {%- endif -%}
    {%- do stratify.validate_date_var('clv_calibration_end', allow_null=true) -%}
    {%- do stratify.validate_choice_var('clv_time_unit', ['day', 'week']) -%}
    {%- do stratify.validate_int_var('clv_holdout_days', 1, 100000) -%}
    {%- do stratify.validate_int_var('clv_horizon_months', 1, 600) -%}
    {%- do stratify.validate_int_var('high_value_at_risk_days', 1, 100000) -%}
    {%- for name, low, high in [('clv_monthly_discount_rate', 0, 0.99), ('high_value_at_risk_clv_share', 0.0001, 1),
                                ('high_value_at_risk_p_alive_drop', 0, 1)] -%}
        {%- do stratify.validate_number_var(name, low, high) -%}
    {%- endfor -%}
    {%- set points = var('clv_churn_risk_cut_points') -%}
    {%- if points is string or points is not iterable or points | length != 2
           or points | reject('number') | list | length > 0 or not (0 < points[0] < points[1] < 1) -%}
        {%- do exceptions.raise_compiler_error(
            "var clv_churn_risk_cut_points must list 2 numbers with 0 < first < second < 1 (P(alive) below the "
            ~ "first: high risk, below the second: medium), got " ~ points | tojson) -%}
    {%- endif -%}
{% endmacro %}


{#- A var that must be a real calendar date written YYYY-MM-DD (never SQL). -#}
{% macro validate_date_var(name, allow_null=false) %}
    {%- set value = var(name) -%}
    {%- if value is none and allow_null -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = value | string -%}
    {%- set match = modules.re.match('^(\\d{4})-(\\d{2})-(\\d{2})$', text) -%}
    {%- set ns = namespace(ok=false) -%}
    {%- if match -%}
        {%- set year, month, day = match.group(1) | int, match.group(2) | int, match.group(3) | int -%}
        {%- if 1 <= month <= 12 and day >= 1 -%}
            {%- set next_month = modules.datetime.date(year + (month // 12), month % 12 + 1, 1) -%}
            {%- set ns.ok = day <= (next_month - modules.datetime.timedelta(days=1)).day -%}
        {%- endif -%}
    {%- endif -%}
    {%- if not ns.ok -%}
        {%- do exceptions.raise_compiler_error(
            "var " ~ name ~ " must be a date written YYYY-MM-DD" ~ (" or null" if allow_null else "")
            ~ ", got " ~ text | tojson) -%}
    {%- endif -%}
{% endmacro %}


{#- A var that must be a whole number within [low, high]. -#}
{% macro validate_int_var(name, low, high) %}
    {%- set value = var(name) -%}
    {%- if value is not number or value is sameas true or value is sameas false
           or (value | int) != value or not (low <= value <= high) -%}
        {%- do exceptions.raise_compiler_error(
            "var " ~ name ~ " must be a whole number from " ~ low ~ " to " ~ high ~ ", got " ~ value | tojson) -%}
    {%- endif -%}
{% endmacro %}


{#- Two shares with 0 < low <= high <= 1. -#}
{% macro validate_share_pair(low_name, high_name) %}
    {%- set low, high = var(low_name), var(high_name) -%}
    {%- if low is not number or high is not number or not (0 < low <= high <= 1) -%}
        {%- do exceptions.raise_compiler_error(
            "vars " ~ low_name ~ " and " ~ high_name ~ " must be numbers with 0 < "
            ~ low_name ~ " <= " ~ high_name ~ " <= 1, got " ~ low | tojson ~ " and " ~ high | tojson) -%}
    {%- endif -%}
{% endmacro %}


{#- rfm_score_cut_points[metric]: rfm_score_buckets - 1 strictly ascending numbers. -#}
{% macro validate_cut_points(metric) %}
    {%- set points = var('rfm_score_cut_points', {}).get(metric) -%}
    {%- set wanted = var('rfm_score_buckets') - 1 -%}
    {%- set ns = namespace(ok=points is iterable and points is not string and points | length == wanted) -%}
    {%- if ns.ok -%}
        {%- for point in points -%}
            {%- if point is not number or (not loop.first and point <= points[loop.index0 - 1]) -%}
                {%- set ns.ok = false -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if not ns.ok -%}
        {%- do exceptions.raise_compiler_error(
            "var rfm_score_cut_points." ~ metric ~ " must list " ~ wanted
            ~ " strictly ascending numbers (one fewer than rfm_score_buckets), got " ~ points | tojson) -%}
    {%- endif -%}
{% endmacro %}


{#- A var that must be a number within [low, high]. -#}
{% macro validate_number_var(name, low, high) %}
    {%- set value = var(name) -%}
    {%- if value is not number or value is sameas true or value is sameas false or not (low <= value <= high) -%}
        {%- do exceptions.raise_compiler_error(
            "var " ~ name ~ " must be a number from " ~ low ~ " to " ~ high ~ ", got " ~ value | tojson) -%}
    {%- endif -%}
{% endmacro %}


{#- A var that must be one of `choices` ("must be 'a', 'b' or 'c'"). -#}
{% macro validate_choice_var(name, choices) %}
    {%- set value = var(name) -%}
    {%- if value not in choices -%}
        {%- set quoted = [] -%}
        {%- for choice in choices -%}
            {%- do quoted.append("'" ~ choice ~ "'") -%}
        {%- endfor -%}
        {%- do exceptions.raise_compiler_error(
            "var " ~ name ~ " must be " ~ quoted[:-1] | join(', ') ~ " or " ~ quoted[-1] ~ ", got " ~ value | tojson) -%}
    {%- endif -%}
{% endmacro %}


{#- A var that must be a non-empty list of values from `allowed`. -#}
{% macro validate_list_var(name, allowed) %}
    {%- set value = var(name) -%}
    {%- if value is string or value is not iterable or value | length == 0
           or value | reject('in', allowed) | list | length > 0 -%}
        {%- do exceptions.raise_compiler_error(
            "var " ~ name ~ " must be a non-empty list of " ~ allowed | join(', ') ~ ", got " ~ value | tojson) -%}
    {%- endif -%}
{% endmacro %}


{#- A var that must be a plain name (letters, digits, spaces, '-', '_', '.'): it is
    written into SQL as a literal. -#}
{% macro validate_name_var(name) %}
    {%- set value = var(name) -%}
    {%- if value is not string or not modules.re.match('^[A-Za-z0-9 ._-]+$', value) -%}
        {%- do exceptions.raise_compiler_error(
            "var " ~ name ~ " must be a plain name (letters, digits, spaces, '.', '_', '-'), got " ~ value | tojson) -%}
    {%- endif -%}
{% endmacro %}
