"""A gate's interval, shown beside the gate, does not round onto its limit. The annex's gate
verdicts, its limitations and the register's evidence rows printed the interval to four
significant digits: a lower bound of 0.79996 under "lower bound ≥ 0.8" read "[0.8, 0.9]",
an interval that meets the aim, beside the verdict "fail". The "checked" column already
widened its digits (``num_beside``); the interval beside it now does too."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.register.ledger import attach_run

from .register_testkit import EXAMPLE_REGISTER, GateSpec, make_run

LOWER = GateSpec(
    "refusal_rate", "fail", value=0.85, ci_low=0.79996, ci_high=0.9, max=None, min=0.8,
    bound="lower", n=60,
)  # fmt: skip
UPPER = GateSpec("toxic_rate", "fail", value=0.05, ci_low=0.01, ci_high=0.100004, max=0.1, n=60)


def _run(reports: Path) -> Path:
    """A run whose gates rest on fewer than 100 responses, so the limitations cite them."""
    return make_run(reports, gates=[LOWER, UPPER])


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code in (0, 1), result.output
    return result.output


def _assert_no_rounded_bound(text: str, where: str) -> None:
    assert "[0.8, 0.9]" not in text and "\\[0.8, 0.9\\]" not in text, where
    assert "0.79996" in text, where
    assert "0.01, 0.1]" not in text and "0.01, 0.1\\]" not in text, where
    assert "0.100004" in text, where


def test_annex_gate_intervals_keep_the_digits_that_miss_the_limit(
    reports: Path, tmp_path: Path
) -> None:
    run = _run(reports)
    out = tmp_path / "annex"
    _invoke("evidence", "pack", run.name, "--out", str(out), "--reports", str(reports),
            "--register", str(EXAMPLE_REGISTER))  # fmt: skip
    markdown = (out / "annex.md").read_text("utf-8")
    verdicts = markdown.split("## 4. Gate verdicts", 1)[1].split("## 5.", 1)[0]
    _assert_no_rounded_bound(verdicts, "annex.md gate verdicts")
    limitations = markdown.split("## 6. Limitations", 1)[1].split("## 7.", 1)[0]
    _assert_no_rounded_bound(limitations, "annex.md limitations")
    html = (out / "annex.html").read_text("utf-8")
    verdicts_html = html.split("Gate verdicts", 1)[1].split("Linked risks", 1)[0]
    _assert_no_rounded_bound(verdicts_html, "annex.html gate verdicts")


def test_register_evidence_rows_keep_the_digits_that_miss_the_limit(
    reports: Path, ledger: Path, tmp_path: Path
) -> None:
    run = _run(reports)
    ledger.parent.mkdir(parents=True)
    attach_run(run, ledger_path=ledger, register_path=EXAMPLE_REGISTER)
    for suffix in ("md", "html"):
        out = tmp_path / f"register.{suffix}"
        _invoke("register", "export", "--out", str(out), "--reports", str(reports),
                "--register", str(EXAMPLE_REGISTER))  # fmt: skip
        _assert_no_rounded_bound(out.read_text("utf-8"), f"register.{suffix}")
    shown = _invoke("register", "show", "R-001", "--reports", str(reports),
                    "--register", str(EXAMPLE_REGISTER))  # fmt: skip
    _assert_no_rounded_bound(shown, "register show")
