"""One folder run, one name per suite: a suite's name keys its baseline, trend and CI class."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigIssue
from ..store.yaml_lines import load_yaml_file


def name_clashes(named: list[tuple[Path, str]]) -> list[ConfigIssue]:
    """One issue for each suite file whose ``suite:`` name an earlier file of the same run
    already has. Why refused, not run: ``baseline check`` compares a suite's latest run with
    the baseline of its name, so two files with one name in a nightly would compare whichever
    ran last with a baseline the other set, and their gates would share one JUnit class."""
    first: dict[str, Path] = {}
    issues = []
    for path, name in named:
        earlier = first.setdefault(name, path)
        if earlier == path:
            continue
        _data, line_of, _digest = load_yaml_file(path)
        issues.append(
            ConfigIssue(
                path=str(path),
                line=line_of(("suite",)),
                field="suite",
                message=f"{name!r} is also the name of {earlier} in this run",
                hint="baselines, trends and CI test names are keyed by the suite's name; "
                "give each suite file a name of its own",
            )
        )
    return issues
