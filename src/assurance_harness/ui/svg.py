"""A metric's trend as inline SVG (no script, no external file): one line per target, an
interval bar per run, and at most ``MAX_LABELS`` rotated date labels so they never overlap.
As ``assurance trend``'s plot (``compare.trend``): a line is cut where a target's suite file,
cases or configuration changed (``suite_breaks``), at a dashed mark, and the whiskers name
their level, a second level drawn dashed, so a change of the cases is not read as a change of
the target, nor a 99.9% interval as a wider 95% one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from markupsafe import escape

from ..compare.trend import interval_words, suite_breaks

if TYPE_CHECKING:
    from ..compare.trend import TrendPoint

WIDTH, HEIGHT = 860, 300
LEFT, RIGHT, TOP, BOTTOM = 50, 260, 24, 80
MAX_LABELS = 12
COLOURS = ("#1f5fa8", "#c2410c", "#15803d", "#7e22ce", "#a16207", "#0e7490")


def trend_svg(points: list[TrendPoint], *, title: str) -> str:
    values = [v for p in points for v in (p.value, p.ci_low, p.ci_high) if v is not None]
    top = max(values) if values else 1.0
    top = top if top > 0 else 1.0
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    n = len(points)

    def x(i: int) -> float:
        return LEFT + (plot_w * (i + 0.5) / n if n else 0)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - v / top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{escape(title)}">',
        f'<text x="{LEFT}" y="14">{escape(title)}</text>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" '
        'stroke="#888"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#888"/>',
    ]
    for frac in (0, 0.5, 1):
        value = top * frac
        parts.append(
            f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{value:.3g}</text>'
        )
    starts = {id(after) for _, after in suite_breaks(points)}  # a new line begins there
    for i, p in enumerate(points):
        if id(p) in starts:
            mark = LEFT + (plot_w * i / n if n else 0)
            parts.append(
                f'<line x1="{mark:.1f}" x2="{mark:.1f}" y1="{TOP}" y2="{TOP + plot_h}" '
                'stroke="#888" stroke-dasharray="3,3"/>'
                f'<text x="{mark + 3:.1f}" y="{TOP + 10}" font-size="10" fill="#555">'
                "suite or cases changed</text>"
            )
    levels = list(dict.fromkeys(p.confidence for p in points if p.value is not None))
    targets = list(dict.fromkeys(p.target for p in points))
    for t_index, target in enumerate(targets):
        colour = COLOURS[t_index % len(COLOURS)]
        lines: list[list[tuple[float, float]]] = [[]]
        for i, p in enumerate(points):
            if p.target != target or p.value is None:
                continue
            if id(p) in starts and lines[-1]:
                lines.append([])
            lines[-1].append((x(i), y(p.value)))
        for coords in lines:
            if len(coords) > 1:
                path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
                parts.append(
                    f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>'
                )
        for i, p in enumerate(points):
            if p.target != target or p.value is None:
                continue
            if p.ci_low is not None and p.ci_high is not None:
                dashed = ' stroke-dasharray="2,2"' if levels.index(p.confidence) % 2 else ""
                parts.append(
                    f'<line x1="{x(i):.1f}" x2="{x(i):.1f}" y1="{y(p.ci_low):.1f}" '
                    f'y2="{y(p.ci_high):.1f}" stroke="{colour}" stroke-opacity="0.5"{dashed}>'
                    f"<title>{escape(interval_words(p.confidence))}</title></line>"
                )
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(p.value):.1f}" r="3" fill="{colour}"/>')
        ly = TOP + 14 * t_index
        parts.append(
            f'<rect x="{LEFT + plot_w + 12}" y="{ly}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{LEFT + plot_w + 26}" y="{ly + 9}">{escape(target)}</text>'
        )
    parts.append(
        f'<text x="{LEFT + plot_w + 12}" y="{TOP + plot_h}" font-size="10" fill="#555">'
        f"{escape(_whiskers(levels))}</text>"
    )
    step = max(1, -(-n // MAX_LABELS))
    for i, p in enumerate(points):
        if i % step:
            continue
        label = escape(p.started_at[:16].replace("T", " "))
        ly = TOP + plot_h + 12
        parts.append(
            f'<text x="{x(i):.1f}" y="{ly}" text-anchor="end" '
            f'transform="rotate(-40 {x(i):.1f} {ly})">{label}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _whiskers(levels: list[float | None]) -> str:
    """What the whiskers are: one level named, or several (solid, then dashed)."""
    if len(levels) == 1:
        return f"whiskers: {interval_words(levels[0])}"
    named = ", ".join(
        f"{interval_words(level)} ({'dashed' if index % 2 else 'solid'})"
        for index, level in enumerate(levels)
    )
    return f"whiskers of several levels: {named}"
