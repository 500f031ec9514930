-- The fitted BG/NBD and Gamma-Gamma parameters, long format: one row per fit ('scoring':
-- calibrated up to clv_calibration_end, scores customer_predictions; 'holdout': calibrated
-- up to as_of_date - clv_holdout_days, checked by clv_holdout_validation), model and parameter.
with

fits as (select * from {{ ref('int_clv_model_fits') }}),

final as (
    select
        cast(fit as {{ dbt.type_string() }}) as fit,
        cast(model as {{ dbt.type_string() }}) as model,
        cast(parameter as {{ dbt.type_string() }}) as parameter,
        cast(value as {{ stratify.type_double() }}) as value,
        cast(standard_error as {{ stratify.type_double() }}) as standard_error,
        cast(log_likelihood as {{ stratify.type_double() }}) as log_likelihood,
        cast(converged as boolean) as converged,
        cast(message as {{ dbt.type_string() }}) as message,
        cast(calibration_end as date) as calibration_end,
        cast(time_unit as {{ dbt.type_string() }}) as time_unit,
        cast(n_customers as {{ dbt.type_bigint() }}) as n_customers
    from fits
)

select * from final
