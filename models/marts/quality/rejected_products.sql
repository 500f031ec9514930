-- Raw products rows that cannot be used, as they arrived (as text, PII left out), with their
-- reason code.
{{ stratify.rejected_rows('stg_raw__products') }}
