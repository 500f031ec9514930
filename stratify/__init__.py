"""Stratify: customer stratification tools beside the dbt project."""

__version__ = "0.1.0"
