"""Matplotlib figures for the impact-assessment annex: each metric with its confidence interval,
per group where it has groups, and the gate threshold it was checked against."""

from __future__ import annotations

import io
from typing import Any

from ..formatting import group_name
from ..formatting.visible import plot_text

MAX_METRICS = 8
MAX_GROUPS = 12


def _rows(name: str, metric: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    rows = [(f"{name} (all)", metric)]
    groups = metric.get("groups") or {}
    for group, value in list(groups.items())[:MAX_GROUPS]:
        rows.append((f"  {group_name(group)}", value))
    if len(groups) > MAX_GROUPS:
        # A row without a point: the remaining groups are in the annex's table.
        rows.append((f"  ... {len(groups) - MAX_GROUPS} more groups (see table)", {}))
    return rows


def metrics_figure(summary: dict[str, Any], *, title: str) -> bytes | None:
    """A PNG with one panel per metric (gated metrics first); None when there is nothing to plot."""
    metrics: dict[str, dict[str, Any]] = dict(summary.get("metrics") or {})
    gates = list(summary.get("gates") or [])
    gated = [g.get("metric") for g in gates]
    names = sorted(metrics, key=lambda m: (m not in gated, m))[:MAX_METRICS]
    names = [n for n in names if metrics[n].get("value") is not None]
    if not names:
        return None

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    heights = [0.45 * len(_rows(n, metrics[n])) + 0.9 for n in names]
    fig, axes = plt.subplots(
        len(names),
        1,
        figsize=(8, sum(heights)),
        gridspec_kw={"height_ratios": heights},
        squeeze=False,
    )
    for ax, name in zip(axes[:, 0], names, strict=True):
        rows = _rows(name, metrics[name])
        for y, (_label, value) in enumerate(reversed(rows)):
            v = value.get("value")
            if v is None:
                continue
            lo, hi = value.get("ci_low"), value.get("ci_high")
            if lo is not None and hi is not None:
                ax.errorbar(
                    v,
                    y,
                    xerr=[[max(0.0, v - lo)], [max(0.0, hi - v)]],
                    fmt="o",
                    color="#1f4e79",
                    ecolor="#6c8ebf",
                    capsize=3,
                )
            else:
                ax.plot(v, y, "o", color="#1f4e79")
            ax.annotate(
                f"n={value.get('n')}",
                (v, y),
                textcoords="offset points",
                xytext=(6, 6),
                fontsize=7,
                color="#444",
            )
        ax.set_yticks(
            range(len(rows)), [plot_text(label, 60) for label, _ in reversed(rows)], fontsize=8
        )
        ax.set_ylim(-0.7, len(rows) - 0.3)
        for gate in gates:
            if gate.get("metric") != name:
                continue
            colour = "#b3261e" if gate.get("verdict") == "fail" else "#2e7d32"
            for key in ("max", "min"):
                if gate.get(key) is not None:
                    ax.axvline(gate[key], color=colour, linestyle="--", linewidth=1)
                    ax.annotate(
                        f"{key} {gate[key]:g} ({gate.get('verdict')})",
                        (gate[key], len(rows) - 0.5),
                        fontsize=7,
                        color=colour,
                        ha="left",
                        va="top",
                        xytext=(3, 0),
                        textcoords="offset points",
                    )
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(axis="x", labelsize=8)
    fig.suptitle(plot_text(title, 100), fontsize=10)
    # Keep a fixed strip (about 0.45 inch) for the title, whatever the figure's height.
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.45 / sum(heights)))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()
