{#- A regex bracket expression matching one whitespace character, Unicode spaces included
    (no-break space, ideographic space, zero-width space, BOM; written as literal
    characters here), which ASCII classes miss. -#}
{% macro whitespace_pattern() -%}
    {{ return(adapter.dispatch('whitespace_pattern', 'stratify')()) }}
{%- endmacro %}

{% macro default__whitespace_pattern() -%}
    [[:space:]   -​    　﻿]
{%- endmacro %}

{#- Java regular expressions (Spark) have no POSIX classes. -#}
{% macro spark__whitespace_pattern() -%}
    [\\s   -​    　﻿]
{%- endmacro %}
