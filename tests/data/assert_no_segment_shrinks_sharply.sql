-- Warns (a steward sees it in the test results, the build goes on) when a tier, RFM
-- segment or lifecycle stage of at least segment_shrink_min_persons persons loses more
-- than segment_shrink_warn_share of them from the previous period to the newest one (older
-- periods warned when they were new). Compared without
-- dividing, so the boundary is exact on every engine.
{{ config(severity='warn') }}

select
    as_of_date,
    dimension,
    segment,
    previous_persons,
    persons,
    persons_change
from {{ ref('segment_trends') }}
where
    as_of_date = (select max(newest.as_of_date) from {{ ref('segment_trends') }} as newest)
    and previous_persons >= {{ var('segment_shrink_min_persons') }}
    and previous_persons - persons > {{ var('segment_shrink_warn_share') }} * previous_persons
