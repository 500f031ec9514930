"""The tools that read a DuckDB warehouse `dbt build` wrote: quality (the Great Expectations
suite), report (the HTML page) and export (the marts as files). They run after a build and
only read it, so they live apart from the dev-data tools that make raw data before one."""
