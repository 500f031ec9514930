"""Per person with a purchase on or before as_of_date: the BG/NBD and Gamma-Gamma scores
from the 'scoring' fit of int_clv_model_fits (stratify.clv; the expected purchases need
the Gauss hypergeometric function, which no engine's SQL has), and P(alive) as of the
comparison date of int_clv_settings for the persons who had bought by then. Null scores
where a model could not be fitted."""

import numpy as np
import pandas as pd

from stratify import clv

HORIZON_DAYS = (30, 90, 365)


def model(dbt, session):
    settings = dbt.ref("int_clv_settings").df().iloc[0]
    fits = dbt.ref("int_clv_model_fits").filter("fit = 'scoring'").df()
    summary = dbt.ref("int_persons_clv_summary")
    now = summary.filter(f"summary_date = DATE '{pd.Timestamp(settings['as_of_date']).date()}'").df()
    earlier = summary.filter(f"summary_date = DATE '{pd.Timestamp(settings['p_alive_compared_at']).date()}'").df()

    def parameters(model_name):
        rows = fits[fits["model"] == model_name]
        return clv.parameters_of(model_name, dict(zip(rows["parameter"], rows["value"])))

    bgnbd, gamma_gamma = parameters("bgnbd"), parameters("gamma_gamma")
    unit = float(settings["days_per_unit"])
    x, t_x, T = (now[c].to_numpy(float) for c in ("repeat_purchases", "recency_t_x", "age_t"))
    scores = pd.DataFrame({"person_key": now["person_key"]})
    missing = np.full(len(now), np.nan)
    scores["p_alive"] = clv.p_alive(bgnbd, x, t_x, T) if bgnbd else missing
    for days in HORIZON_DAYS:
        scores[f"expected_purchases_{days}d"] = (clv.expected_purchases(bgnbd, days / unit, x, t_x, T)
                                                 if bgnbd else missing)
    spend_ok = gamma_gamma is not None and gamma_gamma[1] > 1
    m = now["repeat_purchase_mean_cny"].fillna(0).to_numpy(float)
    scores["expected_purchase_value_cny"] = clv.expected_spend(gamma_gamma, x, m) if spend_ok else missing
    scores["predicted_clv_cny"] = (
        clv.lifetime_value(bgnbd, scores["expected_purchase_value_cny"].to_numpy(), x, t_x, T,
                           int(settings["horizon_months"]), float(settings["monthly_discount_rate"]), unit)
        if bgnbd and spend_ok else missing
    )
    before = pd.DataFrame({
        "person_key": earlier["person_key"],
        "p_alive_compared": (clv.p_alive(bgnbd, *(earlier[c].to_numpy(float)
                                                  for c in ("repeat_purchases", "recency_t_x", "age_t")))
                             if bgnbd else np.full(len(earlier), np.nan)),
    })
    return scores.merge(before, on="person_key", how="left")
