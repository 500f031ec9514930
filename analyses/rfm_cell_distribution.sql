-- People and revenue per R x F score cell: the grid an analyst looks at first.
with

customer_rfm as (select * from {{ ref('customer_rfm') }})

select
    r_score,
    f_score,
    count(*) as persons,
    sum(monetary) as monetary,
    avg(recency_days) as avg_recency_days
from customer_rfm
group by r_score, f_score
order by r_score desc, f_score desc
