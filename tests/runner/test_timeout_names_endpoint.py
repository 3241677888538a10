"""A request the runner's own timer ends names the endpoint, as the adapter's timeout does.

Two timers end a request that gets no answer: the HTTP adapter's (``no complete response
within 0.5s from http://HOST:PORT/...``) and the runner's, from the same deadline (``no
response within 0.5s``, no endpoint). Which fires first depends on the scheduling: under load
the runner's did, and the stored error, the stop line and the reports could not say which
endpoint failed (seen in a fresh-clone run of
tests/privacy/test_stored_error_keeps_endpoint.py)."""

from __future__ import annotations

import asyncio

from assurance_harness.datatypes import GenerationRequest, GenerationResponse, ResponseRecord
from assurance_harness.runner.executor import execute
from assurance_harness.targets.base import RetryPolicy, Target, TargetSpec

from .test_executor import requests_for

URL = "http://127.0.0.1:9/v1/chat/completions"


class Silent(Target):
    """An HTTP target whose request never ends by itself: only the runner's timer ends it."""

    type = "silent-test"

    def __init__(self) -> None:
        super().__init__(TargetSpec(type="silent-test"))

    def endpoint(self) -> str | None:
        return URL

    async def generate(self, request: GenerationRequest) -> GenerationResponse:
        await asyncio.sleep(60)
        raise AssertionError("the timer ends this first")


def test_the_runners_timeout_names_the_endpoint() -> None:
    records: list[ResponseRecord] = []
    asyncio.run(
        execute(
            Silent(),
            requests_for(1),
            concurrency=1,
            requests_per_second=None,
            timeout_s=0.05,
            retry=RetryPolicy(max_attempts=1),
            on_record=records.append,
        )
    )
    (record,) = records
    assert record.error is not None and record.error.type == "timeout"
    assert record.error.message == f"no response within 0.05s from {URL}", record.error
