"""Per person with a purchase on or before as_of_date: the expected purchases in the next
30, 90 and 365 days and the predicted CLV from the parameters of int_clv_scoring_parameters.
They need the Gauss hypergeometric function, which no engine's SQL has, so they are a dbt
Python model (stratify.clv); the scores with a closed form are SQL:
int_persons_p_alive_and_spend. Null where BG/NBD could not be fitted."""

import numpy as np
import pandas as pd

from stratify import clv

HORIZON_DAYS = (30, 90, 365)


def model(dbt, session):
    settings = dbt.ref("int_clv_settings").df().iloc[0]
    parameters = dbt.ref("int_clv_scoring_parameters").df().iloc[0]
    bgnbd = clv.parameters_of("bgnbd", {name: parameters[name] for name in clv.BGNBD_PARAMETERS})
    as_of = pd.Timestamp(settings["as_of_date"]).date()
    now = dbt.ref("int_persons_clv_summary").filter(f"summary_date = DATE '{as_of}'").df()
    spend = dbt.ref("int_persons_p_alive_and_spend").df()[["person_key", "expected_purchase_value_cny"]]
    now = now.merge(spend, on="person_key", how="left")
    unit = float(settings["days_per_unit"])
    x, t_x, T = (now[c].to_numpy(float) for c in ("repeat_purchases", "recency_t_x", "age_t"))
    scores = pd.DataFrame({"person_key": now["person_key"]})
    missing = np.full(len(now), np.nan)
    for days in HORIZON_DAYS:
        scores[f"expected_purchases_{days}d"] = (clv.expected_purchases(bgnbd, days / unit, x, t_x, T)
                                                 if bgnbd else missing)
    scores["predicted_clv_cny"] = (
        clv.lifetime_value(bgnbd, now["expected_purchase_value_cny"].to_numpy(float), x, t_x, T,
                           int(settings["horizon_months"]), float(settings["monthly_discount_rate"]), unit)
        if bgnbd else missing
    )
    return scores
