"""``assurance targets check``: one request to a target, and what came back, in words.

A wrong port, a base_url without ``/v1`` or a model the server does not have is found here in a
second, with the URL, the status, the models the endpoint lists and a hint, instead of after a
whole run of retried requests. Everything shown is scrubbed of the configured key values.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from ..datatypes import GenerationRequest, GenerationResponse
from ..scrub import scrub_answer
from ._messages import one_line
from .base import Target, TargetError, TargetTimeoutError, error_text

CHECK_PROMPT = "Reply with the word OK."


@dataclass
class CheckReport:
    """What one check found: ``ok`` when the request came back with text."""

    ok: bool = False
    lines: list[str] = field(default_factory=list)


def _request() -> GenerationRequest:
    return GenerationRequest(
        case_id="targets-check",
        sample=0,
        seed=0,
        messages=[{"role": "user", "content": CHECK_PROMPT}],
        params={},
        metadata={},
    )


async def check_target(target: Target) -> CheckReport:
    """Start the target, send one request, list the endpoint's models where it has any, and
    explain the outcome. Configuration problems (an unset key variable) raise as usual."""
    report = CheckReport()
    endpoint = target.endpoint()
    report.lines.append(f"target: {target.spec.name} ({target.type})")
    if endpoint:
        report.lines.append(f"URL: {endpoint}")
    await target.start()
    try:
        started = time.perf_counter()
        try:
            response = await _answer(target)
        except TargetError as error:
            status = f"HTTP {error.status}" if error.status else error.kind
            text = error_text(error)
            message = target.scrub(text)
            said = message.startswith(status)  # the error's own text names the status
            report.lines.append(f"failed: {message}" if said else f"failed: {status}: {message}")
            hint = target.diagnose(error.status, error.kind, text)
            if hint:
                report.lines.append(f"hint: {target.scrub(hint)}")
        else:
            took = time.perf_counter() - started
            report.ok = True
            # Scrubbed as a run's answers are (an endpoint may repeat the request's headers),
            # before the text is cut: a key cut short would pass unrecognised.
            secrets = target.secret_values()
            shown = scrub_answer(response.model_version or "", secrets)
            model = f", model {shown!r}" if shown else ""
            text = scrub_answer(response.text, secrets).strip().replace("\n", " ")
            if len(text) > 80:
                text = text[:77] + "..."
            report.lines.append(f"OK: answered in {took:.2f}s{model}: {text!r}")
        models = await target.available_models()
        if models is not None:
            report.lines.extend(_models_lines(target, models))
    finally:
        await target.close()
    return report


async def _answer(target: Target) -> GenerationResponse:
    """The check's one request, bounded by the target's ``timeout_s`` as a run bounds each of
    its requests: an HTTP adapter has its own timeout, but a callable or a local model that
    never answers kept the check waiting for ever."""
    timeout_s = target.spec.timeout_s
    try:
        async with asyncio.timeout(timeout_s):
            return await target.generate(_request())
    except TimeoutError:
        raise TargetTimeoutError(f"no response within {timeout_s:g}s") from None


def _models_lines(target: Target, models: list[str]) -> list[str]:
    """The models listed, each on one line with the rest: the ids are the endpoint's own text,
    and one with a line break in it printed a line of its choosing under the check's own."""
    listed = [one_line(model) for model in models[:20]]
    shown = ", ".join(listed) + (f" (+{len(models) - 20} more)" if len(models) > 20 else "")
    lines = [f"models the endpoint lists: {target.scrub(shown) or 'none'}"]
    wanted = target.requested_model()
    if wanted and models and wanted not in models:
        import difflib

        close = difflib.get_close_matches(wanted, models, n=1, cutoff=0.5)
        lines.append(
            f"hint: the target file asks for model '{wanted}', which is not listed"
            + (f"; did you mean '{target.scrub(one_line(close[0]))}'?" if close else "")
        )
    return lines
