"""BG/NBD and Gamma-Gamma fitted by maximum likelihood (stratify.clv) on the summary as of
two dates: the calibration end (fit 'scoring', read by customer_predictions) and the
holdout calibration end (fit 'holdout', read by clv_holdout_validation). Long format: one
row per fit, model and parameter. A model that cannot be fitted on the data (nobody
bought twice yet, ...) gets null values, converged false and the reason: the data tests
on clv_model_parameters warn, and its predictions stay null."""

import pandas as pd

from stratify import clv

PARAMETERS = {"bgnbd": clv.BGNBD_PARAMETERS, "gamma_gamma": clv.GAMMA_GAMMA_PARAMETERS}


def _fit(model_name, fit_function, *columns):
    """Rows of one model's fit: (parameter, value, standard error, log-likelihood,
    converged, message, persons)."""
    try:
        fit = fit_function(*columns)
    except ValueError as error:
        return [(name, None, None, None, False, str(error), 0) for name in PARAMETERS[model_name]]
    return [(name, value, fit.standard_errors[name], fit.log_likelihood, fit.converged, fit.message,
             fit.n_customers) for name, value in fit.parameters.items()]


def model(dbt, session):
    settings = dbt.ref("int_clv_settings").df().iloc[0]
    summary = dbt.ref("int_persons_clv_summary")
    rows = []
    for fit_name, end in (("scoring", settings["calibration_end"]), ("holdout", settings["holdout_calibration_end"])):
        data = summary.filter(f"summary_date = DATE '{pd.Timestamp(end).date()}'").df()
        x = data["repeat_purchases"].to_numpy(float)
        fits = {
            "bgnbd": _fit("bgnbd", clv.fit_bgnbd, x, data["recency_t_x"].to_numpy(float),
                          data["age_t"].to_numpy(float)),
            "gamma_gamma": _fit("gamma_gamma", clv.fit_gamma_gamma, x,
                                data["repeat_purchase_mean_cny"].fillna(0).to_numpy(float)),
        }
        for model_name, parameter_rows in fits.items():
            rows += [(fit_name, model_name, *row, end, settings["time_unit"]) for row in parameter_rows]
    return pd.DataFrame(rows, columns=[
        "fit", "model", "parameter", "value", "standard_error", "log_likelihood", "converged", "message",
        "n_customers", "calibration_end", "time_unit",
    ])
