-- How well the CLV model predicts: fitted on the orders up to as_of_date - clv_holdout_days
-- (fit 'holdout' of clv_model_parameters), its expected purchases over the next
-- clv_holdout_days against the purchases that happened, per number of repeat purchases
-- in the calibration period (0 to 6, then '7+') and overall; and, overall, how well
-- P(alive) ranks who bought again (the area under the ROC curve: 0.5 is chance, 1 perfect).
-- Sums are exact (decimals, integers), so that the same data gives the same table
-- whatever order the rows are summed in.
with

predictions as (select * from {{ ref('int_clv_holdout_predictions') }}),

settings as (select * from {{ ref('int_clv_settings') }}),

bucketed as (
    select
        *,
        case
            when calibration_repeat_purchases >= 7 then '7+'
            else cast(calibration_repeat_purchases as {{ dbt.type_string() }})
        end as frequency_bucket,
        case when calibration_repeat_purchases >= 7 then 7 else calibration_repeat_purchases end as bucket_order,
        case when actual_purchases > 0 then 1 else 0 end as bought_again,
        cast(predicted_purchases as decimal(38, 12)) as predicted_purchases_exact
    from predictions
),

-- P(alive) ranks with ties sharing their mean rank (the Mann-Whitney form of the AUC),
-- doubled to stay whole numbers
ranked as (
    select
        bought_again,
        2 * rank() over (order by p_alive) + count(*) over (partition by p_alive) - 1 as p_alive_rank_twice
    from bucketed
    where p_alive is not null
),

auc as (
    select
        cast(
            sum(case when bought_again = 1 then p_alive_rank_twice else 0 end)
            - sum(bought_again) * (sum(bought_again) + 1)
            as {{ stratify.type_double() }}
        )
        / nullif(2 * sum(bought_again) * (count(*) - sum(bought_again)), 0) as p_alive_auc
    from ranked
),

per_bucket as (
    select
        frequency_bucket,
        bucket_order,
        count(*) as persons,
        sum(predicted_purchases_exact) as predicted_purchases,
        sum(actual_purchases) as actual_purchases,
        cast(null as {{ stratify.type_double() }}) as p_alive_auc
    from bucketed
    group by frequency_bucket, bucket_order
),

overall as (
    select
        'all' as frequency_bucket,
        8 as bucket_order,
        count(*) as persons,
        sum(bucketed.predicted_purchases_exact) as predicted_purchases,
        sum(bucketed.actual_purchases) as actual_purchases,
        max(auc.p_alive_auc) as p_alive_auc
    from bucketed
    cross join auc
),

final as (
    select
        cast(buckets.frequency_bucket as {{ dbt.type_string() }}) as frequency_bucket,
        cast(buckets.bucket_order as {{ dbt.type_int() }}) as bucket_order,
        settings.holdout_calibration_end as calibration_end,
        settings.as_of_date as holdout_end,
        settings.holdout_days,
        cast(buckets.persons as {{ dbt.type_bigint() }}) as persons,
        cast(buckets.predicted_purchases as {{ stratify.type_double() }}) as predicted_purchases,
        cast(buckets.actual_purchases as {{ dbt.type_bigint() }}) as actual_purchases,
        cast(buckets.predicted_purchases as {{ stratify.type_double() }})
        / buckets.persons as predicted_purchases_per_person,
        cast(buckets.actual_purchases as {{ stratify.type_double() }})
        / buckets.persons as actual_purchases_per_person,
        (buckets.predicted_purchases - buckets.actual_purchases)
        / nullif(cast(buckets.actual_purchases as {{ stratify.type_double() }}), 0) as relative_error,
        cast(buckets.p_alive_auc as {{ stratify.type_double() }}) as p_alive_auc
    from (
        select * from per_bucket
        union all
        select * from overall
    ) as buckets
    cross join settings
)

select * from final
