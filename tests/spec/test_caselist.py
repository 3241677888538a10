"""A dataset's cases kept on disk read back exactly, by position, slice and selection."""

from __future__ import annotations

import pickle
from datetime import date

import pytest

from assurance_harness.datatypes import Case
from assurance_harness.spec import caselist
from assurance_harness.spec.caselist import CaseList
from assurance_harness.store import spill
from assurance_harness.store.journalindex import CasePositions


def _cases(n: int) -> list[Case]:
    return [
        Case(
            id=f"c{i}",
            prompt=f"question {i} \u00e9",
            metadata={"group": f"g{i % 3}", "when": date(2024, 1, 1 + i % 28), "x": float(i)},
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("positional", [True, False], ids=["pread", "seek (Windows)"])
def test_round_trip_by_position_slice_and_selection(monkeypatch, positional: bool) -> None:
    monkeypatch.setattr(caselist, "BLOCK", 7)  # several blocks
    # Windows has no os.pread/os.pwrite: the same list must work by seeking.
    monkeypatch.setattr(spill, "_POSITIONAL", positional)
    monkeypatch.setattr(spill, "BLOCK", 8)  # the offsets in several blocks too
    if not positional:
        monkeypatch.delattr(spill.os, "pread")
        monkeypatch.delattr(spill.os, "pwrite")
    cases = _cases(50)
    stored = CaseList.build(cases)
    assert len(stored) == 50
    assert list(stored) == cases and stored == cases
    assert [stored[i] for i in (49, 0, 13, 14, 6, -1)] == [cases[i] for i in (49, 0, 13, 14, 6, -1)]
    assert stored[10:20] == cases[10:20]
    assert stored.select([3, 30, 4]) == [cases[3], cases[30], cases[4]]
    assert stored[0].model_fields_set == cases[0].model_fields_set
    assert pickle.loads(pickle.dumps(stored)) == cases  # to Ray: a plain list


def test_case_positions() -> None:
    cases = _cases(1000)
    place = CasePositions(cases)
    assert [place.get(f"c{i}") for i in (0, 999, 500)] == [0, 999, 500]
    assert place.get("missing") is None
    duplicate = CasePositions([*cases[:3], cases[0]])  # falls back to a dict: the last wins
    assert duplicate.get("c0") == 3


def test_collect_keeps_a_small_dataset_in_memory_and_moves_a_large_one_to_disk() -> None:
    cases = _cases(30)
    small = caselist.collect(iter(cases), in_memory=30)
    assert isinstance(small, list) and small == cases
    large = caselist.collect(iter(cases), in_memory=29)
    assert isinstance(large, CaseList) and list(large) == cases


def test_a_sampled_dataset_is_the_same_in_memory_and_on_disk(tmp_path, monkeypatch) -> None:
    from assurance_harness.spec.datasets import load_dataset
    from assurance_harness.spec.suite import DatasetSpec

    rows = [f'{{"id": "r{i}", "prompt": "p{i}", "metadata": {{"g": {i % 4}}}}}' for i in range(40)]
    (tmp_path / "d.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    spec = DatasetSpec(path="d.jsonl", sample=9, limit=7)
    in_memory, _, _ = load_dataset(spec, tmp_path, seed=3)
    monkeypatch.setattr(caselist, "IN_MEMORY", 10)
    monkeypatch.setattr(caselist.collect, "__kwdefaults__", {"in_memory": 10})
    on_disk, _, _ = load_dataset(spec, tmp_path, seed=3)
    assert isinstance(in_memory, list) and isinstance(on_disk, CaseList)
    assert len(in_memory) == 7 and list(on_disk) == in_memory


def test_json_lines_are_the_lines_of_the_cases_file(tmp_path, monkeypatch) -> None:
    """What a run writes from a list on disk equals what it writes decoding each case, for the
    whole list, a slice and a selection (in several blocks)."""
    from assurance_harness.store.rundir import RunDir

    monkeypatch.setattr(caselist, "BLOCK", 7)
    monkeypatch.setattr(spill, "BLOCK", 8)
    stored = CaseList.build(_cases(50))
    for number, part in enumerate([stored, stored[3:40], stored.select([30, 2, 2, 49, 0])]):
        by_lines, by_cases = RunDir(tmp_path / f"a{number}"), RunDir(tmp_path / f"b{number}")
        by_lines.create()
        by_cases.create()
        by_lines.write_case_lines(part.json_lines())
        by_cases.write_cases(list(part))
        assert by_lines.cases.read_bytes() == by_cases.cases.read_bytes()
        assert list(by_lines.iter_cases()) == [
            Case.model_validate_json(c.model_dump_json(exclude_none=True)) for c in part
        ]


class Special(Case):
    """A subclass of Case (pickled as it is)."""


def _state(model: object) -> tuple[object, ...]:
    names = ("__dict__", "__pydantic_extra__", "__pydantic_fields_set__")
    return (*(getattr(model, name) for name in names), list(model.__dict__))


def test_cases_come_back_with_the_same_state_and_field_order() -> None:
    """Stored as their models' states (``caselist._dumps``): each case and its expectations
    come back with the same fields, in the same order, extras and set fields, for plain cases,
    conversations and expectations with extras; a subclass is pickled whole."""
    cases = [
        *_cases(3),
        Case.model_validate(
            {
                "id": "m",
                "messages": [{"role": "user", "content": "hi"}],
                "expected": {"must_refuse": True, "tone": ["calm", 1]},
                "metadata": {"k": (1, 2)},
            }
        ),
        Case.model_validate({"metadata": {}, "prompt": "p", "id": "order"}),
        Special(id="s", prompt="p"),
    ]
    stored = CaseList.build(cases)
    for mine, back in zip(cases, stored, strict=True):
        assert type(back) is type(mine) and back == mine
        assert _state(back) == _state(mine)
        assert _state(back.expected) == _state(mine.expected)
        assert back.model_dump_json() == mine.model_dump_json()
        assert back.chat() == mine.chat()
    assert pickle.loads(caselist._dumps(cases[-1])) == cases[-1]


@pytest.mark.parametrize("pending", [1, 700, 1 << 20])
def test_appends_read_back_before_and_after_they_are_written(monkeypatch, pending: int) -> None:
    """Appended cases are held until a megabyte is due (``caselist.PENDING``) and written before
    anything reads: reads between appends, slices and lines all see every case."""
    monkeypatch.setattr(caselist, "PENDING", pending)
    monkeypatch.setattr(caselist, "BLOCK", 4)
    cases = _cases(30)
    stored = CaseList()
    for i, case in enumerate(cases):
        stored.append(case)
        if i % 7 == 3:
            assert stored[i] == case and stored[: i + 1] == cases[: i + 1]
    assert list(stored) == cases
    lines = b"".join(stored.json_lines()).decode().splitlines()
    assert lines == [c.model_dump_json(exclude_none=True) for c in cases]


def test_default_expectations_are_stored_as_none_and_read_back_as_their_own_lists() -> None:
    """Most cases set no expectations: they are stored as None (``_default_expectations`` is
    ``Expectations()``'s fields, in order) and each decoded case gets lists of its own."""
    from assurance_harness.datatypes import Expectations

    assert caselist._default_expectations() == Expectations().__dict__
    assert list(caselist._default_expectations()) == list(Expectations().__dict__)
    assert pickle.loads(caselist._dumps(Case(id="a", prompt="p")))[-1] is None
    stored = CaseList.build([Case(id="a", prompt="p"), Case(id="b", prompt="q")])
    first, second = stored[0], stored[1]
    assert first.expected.must_contain is not second.expected.must_contain
    assert _state(first.expected) == _state(Expectations())
    unset = Case.model_validate({"id": "c", "prompt": "p", "expected": {"must_contain": []}})
    assert _state(CaseList.build([unset])[0].expected) == _state(unset.expected)


def test_case_inputs_are_each_cases_id_conversation_and_metadata() -> None:
    """What the request plan reads, from a list and from a list on disk (without making the
    cases): a prompt, a conversation and a subclass pickled whole."""
    cases = [
        *_cases(3),
        Case.model_validate(
            {"id": "m", "messages": [{"role": "user", "content": "hi"}], "metadata": {"k": [1]}}
        ),
        Special(id="s", prompt="p"),
    ]
    expected = [(c.id, c.chat(), c.metadata) for c in cases]
    assert list(caselist.case_inputs(cases)) == expected
    assert list(caselist.case_inputs(CaseList.build(cases))) == expected


def test_reading_pauses_the_collector_only_while_a_block_is_decoded(monkeypatch) -> None:
    """The collector is on again after each block (and after a decode that fails), and left
    off when it was off."""
    import gc

    stored = CaseList.build(_cases(20))
    seen: list[bool] = []
    real = caselist._loads

    def watch(data: bytes) -> Case:
        seen.append(gc.isenabled())
        return real(data)

    monkeypatch.setattr(caselist, "_loads", watch)
    assert gc.isenabled()
    assert list(stored) == _cases(20) and stored[3] == _cases(20)[3]
    assert seen and not any(seen) and gc.isenabled()

    def broken(data: bytes) -> Case:
        raise ValueError("bad")

    monkeypatch.setattr(caselist, "_loads", broken)
    with pytest.raises(ValueError):
        list(stored)
    assert gc.isenabled()
    gc.disable()
    try:
        monkeypatch.setattr(caselist, "_loads", real)
        assert list(stored.inputs())
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_between_is_each_position_read_alone(monkeypatch) -> None:
    monkeypatch.setattr(caselist, "BLOCK", 7)
    cases = _cases(30)
    stored = CaseList.build(cases)
    for first, stop in ((0, 30), (3, 17), (29, 30), (5, 5)):
        assert stored.between(first, stop) == cases[first:stop]
    with pytest.raises(IndexError):
        stored.between(25, 31)
