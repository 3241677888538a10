"""Self-contained HTML pages (register status, Statement of Applicability, impact annex).

Jinja2 with autoescaping on for every template and no ``|safe`` on data: model output and
register text are always shown as text. A Content-Security-Policy meta tag forbids scripts and
remote loads as a second line of defence; images are inline ``data:`` PNGs. Every value is
written through ``formatting.pagetext`` (the environment's ``finalize``): a browser drops a NUL
and hides other control characters, so a risk's title or a model's answer read other than it is.
A page that shows a NUL as ``␀`` says what it stands for, as report.html does
(``store.nultext.page_note``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from ..formatting import (
    MISSING,
    coverage_notes,
    failing_groups_text,
    gate_rule,
    group_name,
    metric_figure,
    num,
    num_beside,
    when,
)
from ..formatting.pagetext import page_text
from .soa import SoaRow
from .status import LEDGER_FAILED, RegisterStatus

TEMPLATES = Path(__file__).parent / "templates"


def environment(finalize: Callable[[Any], Any] = page_text) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=finalize,  # no control character reaches the page as text (page_text)
    )
    env.filters.update(
        num=num,
        num_beside=num_beside,
        with_interval=metric_figure,
        threshold=gate_rule,
        when=when,
        group_name=group_name,
        coverage_notes=coverage_notes,
        failing_groups=failing_groups_text,
    )
    env.globals["MISSING"] = MISSING
    env.globals["LEDGER_FAILED"] = LEDGER_FAILED
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


REGISTER_TEXTS = ("the register's and its evidence's text", "the register file or the ledger")
"""What the register's and the SoA's NUL note says of the texts they show, and where their exact
text is (``store.nultext.page_note``)."""


class _NulsWritten:
    """``page_text`` that keeps each value it writes holding a NUL: the texts a page showed as
    ``␀``, whichever of the register's, the ledger's or the SoA's fields they came from."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            self.texts.append(value)
        return page_text(value)


def _render_noting_nul(template: str, **context: Any) -> str:
    """``template`` rendered with ``nul_note``: what ``␀`` stands for where the page shows one,
    else None. Rendered again with the note only then: which texts are shown is what the
    template writes, not a list kept beside it that would drift from it."""
    from ..store.nultext import page_note

    written = _NulsWritten()
    page = environment(written).get_template(template).render(nul_note=None, **context)
    note = page_note(None, *written.texts, of=REGISTER_TEXTS)
    return page if note is None else render(template, nul_note=note, **context)


def render_status_html(status: RegisterStatus, soa: list[SoaRow] | None = None) -> str:
    """The register with status (and, when given, the SoA) as one HTML page."""
    return _render_noting_nul("register.html", status=status, soa=soa)


def render_soa_html(rows: list[SoaRow], status: RegisterStatus) -> str:
    return _render_noting_nul("soa.html", status=status, soa=rows)
