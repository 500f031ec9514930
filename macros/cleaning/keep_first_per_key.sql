{#- Rows of `relation` ranked within each key by `order_by`; keeps rank 1, so the latest
    version of a re-delivered row wins. The rank column is `_version_rank`. -#}
{% macro keep_first_per_key(relation, key, order_by) -%}
    select *
    from (
        select
            *,
            row_number() over (partition by {{ key }} order by {{ order_by }}) as _version_rank
        from {{ relation }}
    ) as ranked
    where _version_rank = 1
{%- endmacro %}
