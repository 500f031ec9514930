-- Raw products rows that cannot be used, as they arrived (as text, PII left out), with their
-- reason code.
{{ stratify.rejected_rows('base_raw__products') }}
