"""The dev-data tools: raw data made for building, testing and benchmarking the project
(generate, append), and the benchmark with the baselines it times the project against.
None of them reads a built warehouse, and the dbt models import none of them."""
