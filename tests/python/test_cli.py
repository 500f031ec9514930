"""The command line follows click's conventions: --version, exit code 2 for usage errors."""

from __future__ import annotations

from importlib.metadata import version

from click.testing import CliRunner

from stratify.cli import main


def test_version_prints_the_installed_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"stratify, version {version('stratify')}"


def test_unknown_command_or_option_is_a_usage_error() -> None:
    for args in (["no-such-command"], ["generate", "--no-such-option"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
