"""Stratify: customer stratification tools beside the dbt project."""

from pathlib import Path


# The dbt project this package sits in (installed editable): its profiles, sources and models.
PROJECT_DIR = Path(__file__).resolve().parent.parent
