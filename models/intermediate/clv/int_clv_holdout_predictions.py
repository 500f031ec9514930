"""Per person with a purchase on or before the holdout calibration end: what the
'holdout' fit of int_clv_model_fits predicts for the holdout period (clv_holdout_days up
to as_of_date) and what happened in it. Read by clv_holdout_validation."""

import numpy as np
import pandas as pd

from stratify import clv


def model(dbt, session):
    settings = dbt.ref("int_clv_settings").df().iloc[0]
    fits = dbt.ref("int_clv_model_fits").filter("fit = 'holdout' and model = 'bgnbd'").df()
    bgnbd = clv.parameters_of("bgnbd", dict(zip(fits["parameter"], fits["value"])))
    end = pd.Timestamp(settings["holdout_calibration_end"]).date()
    data = dbt.ref("int_persons_clv_summary").filter(f"summary_date = DATE '{end}'").df()
    x, t_x, T = (data[c].to_numpy(float) for c in ("repeat_purchases", "recency_t_x", "age_t"))
    horizon = float(settings["holdout_days"]) / float(settings["days_per_unit"])
    missing = np.full(len(data), np.nan)
    return pd.DataFrame({
        "person_key": data["person_key"],
        "calibration_end": data["summary_date"],
        "calibration_repeat_purchases": data["repeat_purchases"],
        "p_alive": clv.p_alive(bgnbd, x, t_x, T) if bgnbd else missing,
        "predicted_purchases": clv.expected_purchases(bgnbd, horizon, x, t_x, T) if bgnbd else missing,
        "actual_purchases": data["purchases_after"],
    })
