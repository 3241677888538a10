"""Self-contained HTML pages (register status, Statement of Applicability, impact annex).

Jinja2 with autoescaping on for every template and no ``|safe`` on data: model output and
register text are always shown as text. A Content-Security-Policy meta tag forbids scripts and
remote loads as a second line of defence; images are inline ``data:`` PNGs. Every value is
written through ``formatting.pagetext`` (the environment's ``finalize``): a browser drops a NUL
and hides other control characters, so a risk's title or a model's answer read other than it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from ..formatting import MISSING, coverage_notes, gate_rule, group_name, metric_figure, num, when
from ..formatting.pagetext import page_text
from .soa import SoaRow
from .status import RegisterStatus

TEMPLATES = Path(__file__).parent / "templates"


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=page_text,  # no control character reaches the page as text
    )
    env.filters.update(
        num=num,
        with_interval=metric_figure,
        threshold=gate_rule,
        when=when,
        group_name=group_name,
        coverage_notes=coverage_notes,
    )
    env.globals["MISSING"] = MISSING
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def render_status_html(status: RegisterStatus, soa: list[SoaRow] | None = None) -> str:
    """The register with status (and, when given, the SoA) as one HTML page."""
    return render("register.html", status=status, soa=soa)


def render_soa_html(rows: list[SoaRow], status: RegisterStatus) -> str:
    return render("soa.html", status=status, soa=rows)
