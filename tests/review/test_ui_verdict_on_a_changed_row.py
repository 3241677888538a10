"""A verdict is given on the row the reviewer saw. The review page's form names what it showed
(the scorer's label, the prompt and the response); a row whose queue entry changed since (a
``--retry-errors`` replaced the run's queue: ``ReviewStore.enqueue(replace=True)`` gives a row
still queued its new scorer label) records nothing, and says to reload. Was: "agree with the
scorer (True)" posted after the label became False recorded a human label False that nobody
gave, under the reviewer's name, in the ledger for good. Served by the real app on 127.0.0.1."""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

from assurance_harness.register.ledger import read_ledger
from assurance_harness.review.store import ReviewStore
from assurance_harness.ui.app import Settings

from .reviewkit import make_project
from .serve import serving
from .test_ui_hostile_http import _form_session, _post_form, _request


def test_agreeing_on_a_page_whose_scorer_label_changed_since_records_nothing(
    tmp_path: Path,
) -> None:
    project = make_project(tmp_path)
    run_id = project.run(reports=False).run_id
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        path = f"/review/{urllib.parse.quote(run_id)}/{urllib.parse.quote('c2#0', safe='')}"
        _, page, _ = _request(base, "GET", path)
        assert 'id="scorer-label">True<' in page, page[:500]
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
        token, cookie = _form_session(base, path)
        fields["csrf_token"] = token

        store = ReviewStore(project.reports / "runs.db")
        item = store.item(run_id, "c2#0")
        row = {"case_id": "c2", "prompt": item.prompt, "response": item.response}
        changed = [{"key": "c2#0", "reasons": ["band"], "scorer_label": False}]
        store.enqueue(run_id, changed, [row], replace=True)  # as a retry's new queue does

        body = urllib.parse.urlencode({**fields, "decision": "agree", "reviewer": "alice"})
        status, text = _post_form(base, path, body, cookie)
        # 409 Conflict: the row changed under the page (was a 200, as if the page were a success)
        assert status == 409 and 'id="error"' in text and "reload" in text, (status, text[:500])
    assert not [r for r in read_ledger(project.ledger, reviews=True) if r.is_review]
    assert store.history(run_id, "c2#0") == []
