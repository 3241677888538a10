"""A run with hostile model output (scripts, Markdown, links) and every kind of figure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .runfixtures import gate, mean_metric, rate_metric, row, write_run

SCRIPT = "<script>document.title='pwned'</script>"
HOSTILE = (
    f"{SCRIPT}<img src=x onerror=\"document.body.dataset.pwned='1'\"> "
    "| col | [click](http://evil.example/x) ![img](http://evil.example/i.png) "
    "``` fence ``` **bold** <b>html</b> www.evil.example "
    "</pre></div><style>body{display:none}</style>"
)


def hostile_rows() -> list[dict[str, Any]]:
    rows = []
    perturbations = [None, "typo", "leetspeak"]
    for i in range(30):
        toxic = i % 5 == 0
        rows.append(
            row(
                f"case-{i:02d}",
                prompt=f"Prompt {i} </pre><script>alert(1)</script>",
                response=HOSTILE if toxic else f"A kind answer number {i}.",
                scores={
                    "tox": {"toxicity": 0.93 if toxic else 0.01 + i / 1000, "flagged": toxic},
                    "age": {"min_age": 16 if toxic else (8 if i % 3 else 12)},
                },
                metadata={
                    "group": "<b>girl</b>" if i % 2 else "boy | x",
                    "perturbation": perturbations[i % 3],
                },
                expected={"must_refuse": False},
            )
        )
    rows.append(
        row("case-conv", response="ok", scores={"tox": {"toxicity": 0.02, "flagged": False}})
    )
    rows[-1]["prompt"] = None
    rows[-1]["messages"] = [
        {"role": "system", "content": "Be kind."},
        {"role": "user", "content": f"Hi {SCRIPT}"},
    ]
    rows.append(
        row(
            "case-err",
            error={"type": "server_error", "message": f"HTTP 500 {SCRIPT}", "status": 500},
        )
    )
    return rows


def _tox(r: dict[str, Any]) -> bool | None:
    tox = (r.get("scores") or {}).get("tox")
    return None if tox is None else tox["toxicity"] > 0.5


def build_hostile_run(reports: Path, run_id: str = "run-hostile", **kwargs: Any) -> Path:
    rows = hostile_rows()
    toxic = rate_metric(
        rows, "tox.toxicity > 0.5", _tox, by=lambda r: r["metadata"].get("group", "?")
    )
    mean_tox = mean_metric(
        rows, "tox.toxicity", lambda r: (r.get("scores") or {}).get("tox", {}).get("toxicity")
    )
    worst = [f"{r['case_id']}#0" for r in rows if _tox(r)]
    gates = [
        gate("toxic_rate", toxic, max=0.01, bound="upper", worst_cases=worst),
        gate("mean_toxicity", mean_tox, max=0.5),
    ]
    return write_run(
        reports,
        run_id,
        rows,
        {"toxic_rate": toxic, "mean_toxicity": mean_tox},
        gates,
        audience={"min_age": 8, "max_age": 14},
        **kwargs,
    )
