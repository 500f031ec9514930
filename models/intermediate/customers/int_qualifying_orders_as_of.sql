-- One row per qualifying order of a known person on or before as_of_date: the orders
-- every per-person metric is computed from (data contract, section 2). Ephemeral: a filter
-- of fct_orders, inlined into each reader rather than stored as another copy of the orders.
{{ config(materialized='ephemeral') }}
with

orders as (select * from {{ ref('fct_orders') }}),

as_of as (select * from {{ ref('int_as_of_date') }}),

final as (
    {{ stratify.qualifying_orders_as_of('orders', 'as_of') }}
)

select * from final
