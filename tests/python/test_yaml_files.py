"""The project's yml files hold no key twice in one mapping: YAML keeps the last one
silently, so a second `data_tests:` of a model once dropped the tests of the first."""

from __future__ import annotations

from pathlib import Path

import yaml
from conftest import PROJECT_DIR

FOLDERS = ["models", "seeds", "snapshots", "macros", "tests", "analyses"]


class _StrictLoader(yaml.SafeLoader):
    """A SafeLoader that fails on a repeated key instead of keeping the last value."""


def _mapping_without_repeats(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} given twice in one mapping", key_node.start_mark)
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_repeats)


def test_no_yml_file_repeats_a_key() -> None:
    files = [path for folder in FOLDERS for path in (PROJECT_DIR / folder).rglob("*.yml")]
    files.append(PROJECT_DIR / "dbt_project.yml")
    assert len(files) > 10
    problems = []
    for path in files:
        try:
            yaml.load(path.read_text(), Loader=_StrictLoader)
        except yaml.YAMLError as error:
            problems.append(f"{Path(path).relative_to(PROJECT_DIR)}: {error}")
    assert not problems, "\n".join(problems)
