"""compare, baseline and trend commands against real run directories and a real runs.db."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.compare.baseline import BaselineStore
from assurance_harness.compare.nightly import compare_with_baseline
from assurance_harness.store.index import RunIndex

from ..report.runfixtures import toxicity_run


def _app() -> typer.Typer:
    """The real ``assurance`` command tree (complete on import)."""
    return app


def _ids(count: int, seed: int) -> set[int]:
    return set(random.Random(seed).sample(range(200), count))


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    """Three nightly runs: accepted (2.5%), noise (3.5%), regressed (12.5%), indexed in runs.db."""
    root = tmp_path / "reports"
    for run_id, toxic, day in (
        ("n1", _ids(5, 1), 1),
        ("n2", _ids(7, 2), 2),
        ("n3", _ids(25, 3), 3),
    ):
        toxicity_run(
            root,
            run_id,
            toxic,
            max_rate=0.2,
            started_at=f"2026-11-0{day}T03:15:00+00:00",
            index=True,
        )
    return root


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(_app(), list(args))
    return result.exit_code, result.output


def test_compare_exit_codes(reports: Path) -> None:
    code, out = invoke("compare", "n1", "n2", "--reports", str(reports))
    assert code == 0, out
    assert "unchanged" in out and "no significant regression" in out
    code, out = invoke("compare", "n1", "n3", "--reports", str(reports))
    assert code == 1, out
    assert "regressed" in out and "regression in toxic_rate" in out
    code, out = invoke("compare", str(reports / "n1"), str(reports / "n3"), "--json")
    assert code == 1
    payload = json.loads(out)
    assert payload["regressed"] == ["toxic_rate"] and payload["paired"] is True
    assert payload["metrics"][0]["test"]["diff"] == pytest.approx(0.1)


def test_compare_writes_markdown_and_json(reports: Path, tmp_path: Path) -> None:
    code, _ = invoke(
        "compare", "n1", "n3", "--reports", str(reports), "--out", str(tmp_path / "c.md")
    )
    assert code == 1
    markdown = (tmp_path / "c.md").read_text()
    assert "Regression in toxic_rate." in markdown and "❌ regressed" in markdown
    invoke("compare", "n1", "n3", "--reports", str(reports), "--out", str(tmp_path / "c.json"))
    assert json.loads((tmp_path / "c.json").read_text())["exit_code"] == 1


def test_compare_usage_errors(reports: Path) -> None:
    code, out = invoke("compare", "n1", "missing-run", "--reports", str(reports))
    assert code == 2 and "run 'missing-run' not found" in out and "Traceback" not in out
    code, out = invoke("compare", "baseline", "n3", "--reports", str(reports))
    assert code == 2 and "no baseline for suite 'toxicity-core'" in out


def test_baseline_set_show_and_compare_with_it(reports: Path) -> None:
    code, out = invoke("baseline", "set", "n1", "--reports", str(reports), "--note", "release 1.4")
    assert code == 0 and "baseline for suite 'toxicity-core' and target 'staging': n1" in out
    code, out = invoke("baseline", "show", "--reports", str(reports), "--json", "--history")
    assert code == 0
    shown = json.loads(out)
    assert shown["baselines"][0]["run_id"] == "n1"
    assert shown["baselines"][0]["note"] == "release 1.4"
    assert [h["action"] for h in shown["history"]] == ["set"]
    code, out = invoke("compare", "baseline", "n3", "--reports", str(reports))
    assert code == 1
    # The runs table of the index is untouched by the baselines table beside it.
    assert {r["run_id"] for r in RunIndex(reports / "runs.db").list_runs()} == {"n1", "n2", "n3"}


def test_baseline_check_compares_latest_run(reports: Path, tmp_path: Path) -> None:
    invoke("baseline", "set", "n1", "--reports", str(reports))
    code, out = invoke(
        "baseline", "check", "--reports", str(reports), "--out", str(tmp_path / "n.md")
    )
    assert code == 1, out
    assert "n1 → n3" in out
    assert "Regression in toxic_rate." in (tmp_path / "n.md").read_text()
    # Accepting the latest run leaves nothing newer to compare: exit 0.
    invoke("baseline", "set", "n3", "--reports", str(reports))
    code, out = invoke("baseline", "check", "--reports", str(reports))
    assert code == 0 and "no run newer than its baseline" in out


def test_baseline_check_with_no_baseline_to_check_is_a_usage_error(reports: Path) -> None:
    """A nightly ``baseline check`` of a --suite or --target no baseline has (a typo in the CI
    job) said "no run newer than its baseline to compare", exit 0, every night. With no
    baseline set at all and none asked for (the project's first nights) it compares nothing,
    as documented, and says that it is because no baseline is set."""
    code, out = invoke("baseline", "check", "--reports", str(reports))
    assert code == 0, out
    assert "no baseline set" in out and "baseline set RUN_ID" in out
    code, out = invoke("baseline", "check", "--reports", str(reports), "--suite", "toxicity-core")
    assert code == 2, out
    assert "none is set" in out
    invoke("baseline", "set", "n1", "--reports", str(reports))
    for option, value in (("--suite", "toxicity-cor"), ("--target", "stagin")):
        code, out = invoke("baseline", "check", "--reports", str(reports), option, value)
        assert code == 2, out
        assert value in out and "toxicity-core" in out and "staging" in out, out
    code, out = invoke("baseline", "check", "--reports", str(reports), "--suite", "toxicity-core")
    assert code == 1, out  # the one baselined: n3 regressed from n1


def test_baseline_set_refuses_a_failing_run_without_force(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    toxicity_run(reports, "bad", _ids(30, 1), max_rate=0.05)
    code, out = invoke("baseline", "set", "bad", "--reports", str(reports))
    assert code == 2 and "--force" in out
    code, _ = invoke("baseline", "set", "bad", "--reports", str(reports), "--force")
    assert code == 0
    code, _ = invoke(
        "baseline", "clear", "toxicity-core", "--target", "staging", "--reports", str(reports)
    )
    assert code == 0
    history = BaselineStore(reports / "runs.db").history()
    assert [h["action"] for h in history] == ["set", "clear"]


def test_compare_with_baseline_for_the_runner(reports: Path) -> None:
    assert compare_with_baseline(reports / "n3", reports) is None  # no baseline yet
    invoke("baseline", "set", "n1", "--reports", str(reports))
    result = compare_with_baseline(reports / "n3", reports)
    assert result is not None and result.exit_code == 1
    assert compare_with_baseline(reports / "n1", reports) is None  # the baseline itself


def test_trend(reports: Path, tmp_path: Path) -> None:
    invoke("baseline", "set", "n1", "--reports", str(reports))
    out_png = tmp_path / "trend.png"
    code, out = invoke(
        "trend",
        "toxicity-core",
        "toxic_rate",
        "--reports",
        str(reports),
        "--last",
        "2",
        "--out",
        str(out_png),
        "--json",
    )
    assert code == 0, out
    payload = json.loads(out[: out.rindex("}") + 1])
    assert [p["run_id"] for p in payload["points"]] == ["n2", "n3"]
    assert payload["points"][1]["value"] == pytest.approx(0.125)
    assert payload["points"][1]["n"] == 200
    assert out_png.read_bytes().startswith(b"\x89PNG")
    code, out = invoke("trend", "toxicity-core", "toxic_rate", "--reports", str(reports))
    assert code == 0 and "n1 (baseline)" in out
    assert (reports / "trend-toxicity-core-toxic_rate.png").exists()
    code, out = invoke("trend", "toxicity-core", "nope", "--reports", str(reports))
    assert code == 2 and "metrics: toxic_rate" in out
    code, out = invoke("trend", "other-suite", "toxic_rate", "--reports", str(reports))
    assert code == 2 and "no finished runs of suite 'other-suite'" in out


def test_check_run_for_assurance_run_baseline(reports: Path, tmp_path: Path) -> None:
    from io import StringIO

    from rich.console import Console

    from assurance_harness.compare.nightly import check_run

    buffer = StringIO()
    console = Console(file=buffer, width=200)
    assert check_run(reports / "n3", reports, console=console) == 0
    assert "no baseline to compare n3 with" in buffer.getvalue()
    invoke("baseline", "set", "n1", "--reports", str(reports))
    out = tmp_path / "cmp.md"
    assert check_run(reports / "n3", reports, console=console, out_path=out) == 1
    assert "regression in toxic_rate" in buffer.getvalue()
    assert out.read_text().startswith("## Comparison: toxicity-core")
    assert check_run(reports / "n2", reports, console=console) == 0


# ------------------------------------------------------------ one convention for every command


def _json_of(out: str) -> object:
    return json.loads(out[out.index("{") if out.lstrip().startswith("{") else out.index("[") :])


@pytest.mark.parametrize(
    "command",
    [
        ["compare", "n1", "n3"],
        ["baseline", "show"],
        ["trend", "toxicity-core", "toxic_rate"],
        ["runs", "list"],
    ],
)
def test_format_json_and_the_older_json_flag_agree(reports: Path, command: list[str]) -> None:
    """--format json (or -f json) everywhere; --json kept as an alias where it existed."""
    invoke("baseline", "set", "n1", "--reports", str(reports))
    outputs = []
    for flags in (["--format", "json"], ["-f", "json"], ["--json"]):
        code, out = invoke(*command, "--reports", str(reports), *flags)
        assert code in (0, 1), out
        first = out.splitlines()[0] if command[0] == "runs" else out
        outputs.append(json.loads(first) if command[0] == "runs" else _json_of(out))
    assert outputs[0] == outputs[1] == outputs[2]
    code, out = invoke(*command, "--reports", str(reports), "--format", "xml")
    assert code == 2 and "unknown format 'xml'" in out


def test_target_takes_a_file_or_a_name(reports: Path, tmp_path: Path) -> None:
    """--target is a target file in 'run'; trend and baseline check|clear take it too."""
    target = tmp_path / "staging.yaml"
    target.write_text("type: callable\nfunction: bot:reply\n", encoding="utf-8")
    invoke("baseline", "set", "n1", "--reports", str(reports))
    by_name = invoke(
        "trend",
        "toxicity-core",
        "toxic_rate",
        "--reports",
        str(reports),
        "--target",
        "staging",
        "-f",
        "json",
        "-o",
        str(tmp_path / "a.png"),
    )
    by_file = invoke(
        "trend",
        "toxicity-core",
        "toxic_rate",
        "--reports",
        str(reports),
        "--target",
        str(target),
        "-f",
        "json",
        "-o",
        str(tmp_path / "b.png"),
    )
    assert by_name[0] == by_file[0] == 0, by_file[1]
    points = [p["run_id"] for p in _json_of(by_file[1])["points"]]  # type: ignore[index]
    assert points == ["n1", "n2", "n3"]
    assert (tmp_path / "b.png").read_bytes().startswith(b"\x89PNG")
    code, out = invoke(
        "baseline",
        "check",
        "--reports",
        str(reports),
        "--target",
        str(target),
        "-o",
        str(tmp_path / "check.md"),
    )
    assert code == 1 and (tmp_path / "check.md").exists(), out
    code, out = invoke(
        "baseline", "clear", "toxicity-core", "--target", str(target), "--reports", str(reports)
    )
    assert code == 0, out
    assert [h["action"] for h in BaselineStore(reports / "runs.db").history()] == ["set", "clear"]


def test_out_has_the_short_form_everywhere() -> None:
    """Every --out option also answers to -o."""
    from assurance_harness.cli import command

    def walk(cmd, path):  # type: ignore[no-untyped-def]
        for param in cmd.params:
            if "--out" in getattr(param, "opts", []):
                yield path, param.opts
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, [*path, name])

    found = list(walk(command(), []))
    assert len(found) >= 8
    for path, opts in found:
        assert "-o" in opts, " ".join(path)
