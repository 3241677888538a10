"""Load a suite file into everything a run needs, collecting every problem before reporting.

A suite with ten mistakes gets ten messages (file, line, field, fix), not one at a time:
the model is validated, then each plugin's parameters, metric and gate references, and the
dataset files, and all issues are raised together.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .. import builtin_plugins  # noqa: F401 - registers built-in plugins
from ..datatypes import Case, SuiteContext, key_problem, key_text
from ..errors import ConfigError, ConfigIssue, HarnessError
from ..expand.base import Expander, expanders
from ..metrics.base import MetricKind, MetricParams, metric_kinds
from ..registry import PluginLoadError, Registry, UnknownPluginError
from ..scorers.base import Scorer, ScorerParams, scorers
from ..store.files import NOT_REGULAR_FILE, sha256_file
from ..store.spill import SpillArray, key64
from ..store.yaml_lines import LineOf, gc_paused, load_yaml_file
from .caseids import CaseOrigins, check_unique_ids
from .datasets import (
    EMPTY_CONVERSATION,
    FIELDS_FIELD,
    PATH_FIELD,
    MappedColumns,
    load_dataset,
)
from .errors import format_path, plugin_issue, suggest, validation_issues
from .expansion import run_expanders
from .exprcheck import CaseValues, check_metric_expressions
from .gateranges import bound_levels, conflicting_gates, duplicate_gate_ids, unreachable_gates
from .suite import Suite

METRIC_COMMON_KEYS = ("id", "where", "by", "confidence", "description")


@dataclass
class MetricSpec:
    """A parsed metric entry: ``{id, <kind>: params, where?, by?, confidence?}``."""

    id: str
    kind: str
    kind_cls: type[MetricKind]
    params: MetricParams
    where: str | None = None
    by: str | None = None
    confidence: float = 0.95
    description: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    index: int = 0
    """Position in the suite's metrics list (for error locations)."""


@dataclass
class ScorerConfig:
    id: str
    cls: type[Scorer]
    params: ScorerParams
    batch_size: int


@dataclass
class LoadedSuite:
    """A validated suite with its cases loaded and expanded."""

    suite: Suite
    path: Path
    sha256: str
    cases: Sequence[Case]
    """The suite's cases; a single large dataset's stay on disk (``spec.caselist``)."""
    scorers: list[ScorerConfig]
    metrics: list[MetricSpec]
    dataset_files: list[tuple[Path, str]]

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def context(self) -> SuiteContext:
        audience = self.suite.audience.model_dump() if self.suite.audience else None
        return SuiteContext(
            suite_name=self.suite.suite,
            seed=self.suite.seed,
            audience=audience,
            extra={"base_dir": str(self.base_dir)},
        )


def _dotted(loc: tuple[Any, ...]) -> str:
    from .errors import format_path

    return format_path(loc)


def _unmapped(
    mapped: list[tuple[int, MappedColumns, Path]],
    suite: Suite,
    source: str,
    line_of: LineOf,
) -> list[ConfigIssue]:
    """A ``dataset.fields`` column no row of any of the suite's datasets has, said at its
    mapping in the suite (one mapping shared by several files needs each column in one)."""
    found = {pair for _, columns, _ in mapped for pair in columns.found}
    issues = []
    for index, columns, path in mapped:
        at: tuple[Any, ...] = (
            ("dataset",) if not isinstance(suite.dataset, list) else ("dataset", index)
        )
        for issue in columns.issues(path, found_elsewhere=found):
            loc = (*at, "fields", (issue.field or "").removeprefix(FIELDS_FIELD + "."))
            issues.append(
                ConfigIssue(source, line_of(loc), _dotted(loc), issue.message, issue.hint)
            )
    return issues


def _plugin_uses(
    raw: Any,
    section: str,
    registry: Registry[Any],
    source: str,
    line_of: LineOf,
    issues: list[ConfigIssue],
) -> list[tuple[dict[str, Any], Any, Any]]:
    """Resolve each ``{use, with}`` entry of a section to (entry, plugin class, parameters);
    unknown plugins and invalid parameters become located issues."""
    out = []
    for index, entry in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(entry, dict) or "use" not in entry:
            continue  # the model validation reports the shape problem
        try:
            cls = registry.get(str(entry["use"]))
        except (UnknownPluginError, PluginLoadError) as exc:
            loc = (section, index, "use")
            issues.append(plugin_issue(exc, source, line_of(loc), _dotted(loc)))
            continue
        try:
            params = cls.parse_params(entry.get("with"))
        except ValidationError as exc:
            issues.extend(
                validation_issues(exc, source, line_of, cls.Params, prefix=(section, index, "with"))
            )
            continue
        out.append((entry, cls, params))
    return out


def _file_issues(
    cls: type[Scorer],
    params: ScorerParams,
    base_dir: Path,
    index: int,
    source: str,
    line_of: LineOf,
) -> list[ConfigIssue]:
    """What the scorer's ``check_files`` finds wrong with the files it names: a ConfigError's
    own located issues (a judge's target file), anything else at the scorer's ``with``."""
    try:
        cls.check_files(params, base_dir)
    except ConfigError as exc:
        return list(exc.issues)
    except (ValueError, HarnessError) as exc:
        loc = ("scorers", index, "with")
        return [ConfigIssue(source, line_of(loc), _dotted(loc), str(exc))]
    return []


def _parse_scorers(
    raw: Any, source: str, line_of: LineOf, issues: list[ConfigIssue], base_dir: Path | None
) -> list[ScorerConfig]:
    """The suite's scorers; ``base_dir`` (the suite's folder) also has the files they name
    checked (None: a recorded run's suite, whose scorers are not run again)."""
    configs = []
    earlier: list[str] = []
    for entry, cls, params in _plugin_uses(raw, "scorers", scorers, source, line_of, issues):
        scorer_id = str(entry.get("id", entry["use"]))
        for ref in cls.scorer_references(params):
            if ref not in earlier:
                index = raw.index(entry)
                loc = ("scorers", index, "with")
                hint = suggest(ref, earlier) or (
                    f"list the scorer with id '{ref}' before '{scorer_id}' in scorers"
                )
                issues.append(
                    ConfigIssue(
                        source,
                        line_of(loc),
                        _dotted(loc),
                        f"reads scorer '{ref}', which is not configured before it",
                        hint,
                    )
                )
        earlier.append(scorer_id)
        if base_dir is not None:
            issues.extend(_file_issues(cls, params, base_dir, raw.index(entry), source, line_of))
        batch = int(entry.get("batch_size") or cls.default_batch_size)
        configs.append(ScorerConfig(scorer_id, cls, params, batch))
    return configs


def _parse_metrics(
    raw: list[Any], source: str, line_of: LineOf, issues: list[ConfigIssue]
) -> list[MetricSpec]:
    out: list[MetricSpec] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        loc: tuple[Any, ...] = ("metrics", index)
        if not isinstance(entry, dict):
            issues.append(ConfigIssue(source, line_of(loc), _dotted(loc), "a metric is a mapping"))
            continue
        metric_id = entry.get("id")
        if not isinstance(metric_id, str) or not metric_id:
            issues.append(
                ConfigIssue(
                    source, line_of(loc), _dotted(loc), "metric needs an 'id'", "add id: <name>"
                )
            )
            continue
        try:
            key_text(metric_id)  # results, summaries, baselines and gates key on it
        except ValueError as exc:
            loc = (*loc, "id")
            issues.append(ConfigIssue(source, line_of(loc), _dotted(loc), str(exc)))
            continue
        if metric_id in seen:
            issues.append(
                ConfigIssue(
                    source,
                    line_of((*loc, "id")),
                    _dotted((*loc, "id")),
                    f"duplicate metric id '{metric_id}'",
                )
            )
        seen.add(metric_id)
        kind_keys = [k for k in entry if k not in METRIC_COMMON_KEYS]
        # Membership, not names(): the installed packages' entry points are read only for a
        # key no built-in kind has (about 6 ms of a run's start-up).
        known = [k for k in kind_keys if k in metric_kinds]
        for key in kind_keys:
            if key not in metric_kinds:
                kinds = metric_kinds.names()
                hint = suggest(key, [*kinds, *METRIC_COMMON_KEYS]) or (
                    f"metric kinds: {', '.join(kinds)}"
                )
                issues.append(
                    ConfigIssue(
                        source,
                        line_of((*loc, key), key=True),  # type: ignore[call-arg]
                        _dotted((*loc, key)),
                        "unknown metric kind or field",
                        hint,
                    )
                )
        if len(known) != 1:
            if not kind_keys or len(known) > 1:
                issues.append(
                    ConfigIssue(
                        source,
                        line_of(loc),
                        _dotted(loc),
                        "a metric needs exactly one kind",
                        f"one of: {', '.join(metric_kinds.names())}",
                    )
                )
            continue
        kind = known[0]
        cls = metric_kinds.get(kind)
        try:
            params = cls.parse_params(entry[kind])
        except ValidationError as exc:
            issues.extend(validation_issues(exc, source, line_of, cls.Params, prefix=(*loc, kind)))
            continue
        confidence = entry.get("confidence", 0.95)
        if not isinstance(confidence, int | float) or not 0.5 <= float(confidence) < 1:
            issues.append(
                ConfigIssue(
                    source,
                    line_of((*loc, "confidence")),
                    _dotted((*loc, "confidence")),
                    "confidence must be a number in [0.5, 1)",
                    "e.g. 0.95",
                )
            )
            continue
        out.append(
            MetricSpec(
                id=metric_id,
                kind=kind,
                kind_cls=cls,
                params=params,
                where=entry.get("where"),
                by=entry.get("by"),
                confidence=float(confidence),
                description=entry.get("description"),
                raw=dict(entry),
                index=index,
            )
        )
    return out


def _check_expressions(
    metrics: list[MetricSpec], source: str, line_of: LineOf, issues: list[ConfigIssue]
) -> None:
    from ..metrics.expr import ExpressionError, compile_expression

    for metric in metrics:
        index = metric.index
        for key in ("where", "by"):
            text = metric.raw.get(key)
            if text is None:
                continue
            try:
                compile_expression(str(text))
            except ExpressionError as exc:
                loc = ("metrics", index, key)
                issues.append(ConfigIssue(source, line_of(loc), _dotted(loc), str(exc)))
        expr = getattr(metric.params, "expr", None)
        if isinstance(expr, str):
            try:
                compile_expression(expr)
            except ExpressionError as exc:
                loc = ("metrics", index, metric.kind)
                issues.append(ConfigIssue(source, line_of(loc), _dotted(loc), str(exc)))


class _Gathering:
    """What the loader's checks read of each case (``CaseValues``, the ids' ``key64``s),
    gathered as a dataset is read."""

    def __init__(self, values: CaseValues) -> None:
        self.values = values
        self.keys = SpillArray("q")

    def add(self, case: Case) -> None:
        self.values.add(case)
        self.keys.append(key64(case.id))


def _ids_gathering(cases: Sequence[Case], values: CaseValues | None) -> Iterator[str]:
    """The cases' ids, in order, handing each case to ``values`` on the way."""
    for case in cases:
        if values is not None:
            values.add(case)
        yield case.id


def _raw_scorer_ids(raw: Any) -> list[str]:
    """Every scorer id the suite writes, valid or not (so a typo in one scorer's ``use:`` is not
    reported again as an unknown name in each metric that reads it)."""
    return [
        str(e.get("id", e.get("use")))
        for e in (raw if isinstance(raw, list) else [])
        if isinstance(e, dict) and ("id" in e or "use" in e)
    ]


def _empty_conversations(cases: Sequence[Case], source: str, line_of: LineOf) -> list[ConfigIssue]:
    """Inline cases whose conversation holds no message (``messages: []``): sent as nothing at
    all, every sample an endpoint's 400. Checked here, not by ``Case``, which also reads the
    cases.jsonl of runs already made."""
    return [
        ConfigIssue(
            source,
            line_of(("cases", index, "messages")),
            format_path(("cases", index, "messages")),
            EMPTY_CONVERSATION,
            "give at least one message, or a prompt",
        )
        for index, case in enumerate(cases)
        if case.messages == []
    ]


def _no_cases(source: str, line_of: LineOf, *, has_dataset: bool) -> ConfigIssue:
    """The error for a suite without a case. One with a dataset whose rows were all left out
    (a 'where:' no row matches, an empty file) was told to add a dataset it has."""
    if not has_dataset:
        return ConfigIssue(
            source, None, None, "the suite has no cases", "add 'cases:' or a 'dataset:'"
        )
    return ConfigIssue(
        source,
        line_of(("dataset",)),
        "dataset",
        "the suite has no cases: no row of its dataset is kept",
        "check that the file has rows and that 'where:' matches some (its values are "
        "compared with the columns as written)",
    )


def load_suite(
    path: str | Path,
    *,
    expand: bool = True,
    parsed: tuple[Any, LineOf] | None = None,
    specs_only: bool = False,
) -> LoadedSuite:
    """Validate a suite file, load its datasets and expand its cases; raise ConfigError listing
    every problem found. ``parsed``: the file's (data, line_of) when the caller already parsed
    it (a suite of 100,000 inline cases takes seconds to parse). ``specs_only``: the file's own
    settings, scorers, metrics and gates, with no cases (datasets not read, nothing checked
    against them): what a finished run's recorded specs are compared with
    (``register.suite_check``), where the suite already loaded whole when it ran."""
    # Loading builds many small acyclic objects: garbage collection would triple the time.
    with gc_paused():
        return _load_suite(path, expand=expand, parsed=parsed, specs_only=specs_only)


def _load_suite(
    path: str | Path,
    *,
    expand: bool,
    parsed: tuple[Any, LineOf] | None,
    specs_only: bool = False,
) -> LoadedSuite:
    suite_path = Path(path)
    source = str(path)
    suite_sha256: str | None = None  # of the bytes parsed; for ``parsed``, taken at the end
    if parsed is None:
        data, line_of, suite_sha256 = load_yaml_file(suite_path)
    else:
        data, line_of = parsed
    if not isinstance(data, dict):
        raise ConfigError.single(
            source, "a suite file must be a YAML mapping", line=1, hint="start with 'suite: <name>'"
        )
    # Top-level ``x-...`` keys hold YAML anchors for reuse (as in Compose files); not settings.
    data = {k: v for k, v in data.items() if not (isinstance(k, str) and k.startswith("x-"))}
    issues: list[ConfigIssue] = []
    suite: Suite | None = None
    try:
        suite = Suite.model_validate(data)
    except ValidationError as exc:
        issues.extend(validation_issues(exc, source, line_of, Suite))

    raw_metrics = data.get("metrics")
    scorer_configs = _parse_scorers(
        data.get("scorers"),
        source,
        line_of,
        issues,
        None if specs_only else suite_path.parent,
    )
    metrics = _parse_metrics(
        raw_metrics if isinstance(raw_metrics, list) else [],
        source,
        line_of,
        issues,
    )
    _check_expressions(metrics, source, line_of, issues)
    metric_ids = {m.id for m in metrics}
    raw_metric_ids = {
        m.get("id")
        for m in (raw_metrics if isinstance(raw_metrics, list) else [])
        if isinstance(m, dict) and isinstance(m.get("id"), str)
    }
    raw_gates = data.get("gates")  # not a list: the suite model's error
    for index, gate in enumerate(raw_gates if isinstance(raw_gates, list) else []):
        # A metric that is not text ([x]) is the gate model's error; only names are looked up.
        if (
            isinstance(gate, dict)
            and isinstance(gate.get("metric"), str)
            and gate["metric"] not in raw_metric_ids
            and key_problem(gate["metric"]) is None  # no key at all: the gate model's error
        ):
            loc = ("gates", index, "metric")
            hint = suggest(str(gate["metric"]), sorted(metric_ids)) or (
                f"defined metrics: {', '.join(sorted(metric_ids)) or 'none'}"
            )
            issues.append(
                ConfigIssue(
                    source, line_of(loc), _dotted(loc), f"unknown metric '{gate['metric']}'", hint
                )
            )

    # Not for a finished run's suite (``specs_only``): it is compared as it ran, and a gate
    # refused by a rule validate learnt since says nothing of whether its evidence holds.
    if suite is not None and not specs_only:
        issues.extend(unreachable_gates(suite.gates, metrics, source, line_of))
        issues.extend(conflicting_gates(suite.gates, source, line_of))
        issues.extend(bound_levels(suite.gates, metrics, source, line_of))
        issues.extend(duplicate_gate_ids(suite.gates, source, line_of))

    seed = data.get("seed", 0) if isinstance(data.get("seed", 0), int) else 0
    raw_expand: Any = data.get("expand")
    expander_instances: list[tuple[int, Expander]] = [
        (
            next(i for i, item in enumerate(raw_expand) if item is entry),
            cls(params, seed=seed, base_dir=suite_path.parent),
        )
        for entry, cls, params in _plugin_uses(
            raw_expand, "expand", expanders, source, line_of, issues
        )
    ]

    cases: Sequence[Case] = []
    dataset_files: list[tuple[Path, str]] = []
    if suite is not None and not specs_only:
        cases = list(suite.cases)
        issues.extend(_empty_conversations(cases, source, line_of))
        origins = CaseOrigins(source, line_of)
        origins.add_inline(len(cases))
        datasets = suite.datasets()
        # One dataset, as read, is the suite's cases: the checks' values are gathered as it is
        # read, not in a pass of their own (a large dataset's cases are decoded from disk on
        # every pass: about 0.7 s at 100k).
        gathering = (
            _Gathering(CaseValues.for_metrics(metrics, scorer_configs))
            if not cases
            and len(datasets) == 1
            and not expander_instances
            and datasets[0].sample is None
            and datasets[0].limit is None
            else None
        )
        gathered: _Gathering | None = None
        mapped: list[tuple[int, MappedColumns, Path]] = []
        for index, dataset in enumerate(datasets):
            columns = MappedColumns(dataset)
            try:
                loaded, file_path, digest = load_dataset(
                    dataset,
                    suite_path.parent,
                    seed=suite.seed,
                    each=gathering.add if gathering is not None else None,
                    columns=columns,
                )
            except ConfigError as exc:
                for issue in exc.issues:
                    at: tuple[Any, ...] = (
                        ("dataset",) if not isinstance(suite.dataset, list) else ("dataset", index)
                    )
                    if issue.field == PATH_FIELD and issue.line is None:  # the path itself is wrong
                        issue = ConfigIssue(
                            source,
                            line_of((*at, "path")),
                            _dotted((*at, "path")),
                            f"{issue.message}: {issue.path}",
                            issue.hint,
                        )
                    issues.append(issue)
                continue
            mapped.append((index, columns, file_path))
            origins.add_dataset(len(loaded), dataset, file_path, seed=suite.seed)
            if not cases and len(datasets) == 1 and not expander_instances:
                cases = loaded  # a large dataset's cases stay on disk (spec.caselist)
                gathered = gathering
            else:
                cases = [*cases, *loaded]
            dataset_files.append((file_path, digest))
        issues.extend(_unmapped(mapped, suite, source, line_of))
        complete = expand and not issues
        base = cases
        if complete and expander_instances:
            cases, expand_issues = run_expanders(
                expander_instances, cases, source, line_of, origins
            )
            issues.extend(expand_issues)
            complete = not expand_issues
        # Metadata keys are known only when every case loaded and expanded. One pass over the
        # cases for both checks (none when gathered as they were read): each pass decodes a
        # large dataset's cases from disk.
        if gathered is not None:
            values = gathered.values if complete else None
            try:
                issues.extend(check_unique_ids(cases, source, keys=gathered.keys, origins=origins))
            finally:
                gathered.keys.close()
        else:
            values = CaseValues.for_metrics(metrics, scorer_configs) if complete else None
            issues.extend(
                check_unique_ids(
                    cases,
                    source,
                    ids=_ids_gathering(cases, values),
                    origins=origins,
                    base=base if cases is not base else None,
                )
            )
        if gathering is not None and gathering is not gathered:
            gathering.keys.close()
        issues.extend(
            check_metric_expressions(
                metrics,
                scorer_configs,
                values,
                source,
                line_of,
                unresolved=_raw_scorer_ids(data.get("scorers")),
            )
        )
        if values is not None and values.paired is not None:
            # Positions name cases in ``origins`` only where no expander reordered them.
            issues.extend(values.paired.issues(source, origins if cases is base else None))
        if suite.review is not None:
            from .exprcheck import check_review_expressions

            issues.extend(
                check_review_expressions(
                    suite.review,
                    scorer_configs,
                    values,
                    source,
                    line_of,
                    unresolved=_raw_scorer_ids(data.get("scorers")),
                )
            )
        if not cases and not issues:
            issues.append(_no_cases(source, line_of, has_dataset=bool(datasets)))
    if issues:
        issues.sort(key=lambda i: (i.path, i.line or 0))
        raise ConfigError(issues)
    assert suite is not None
    return LoadedSuite(
        suite=suite,
        path=suite_path,
        sha256=suite_sha256 or sha256_file(suite_path),
        cases=cases,
        scorers=scorer_configs,
        metrics=metrics,
        dataset_files=dataset_files,
    )


_SUITE_KEY = re.compile(rb"""^(?:\xef\xbb\xbf)?(["']?)suite\1[ \t]*:(?:[ \t]|$)""")
"""A top-level ``suite`` key at the start of a line, as YAML allows it to be written: after a
UTF-8 byte-order mark (the file's first line), quoted, or with spaces before the colon. Each
of these is a valid suite; a folder's run (and the pytest plugin) that missed one left its
gates unrun while the others passed."""


def is_suite_file(path: Path) -> bool:
    """The one test for "this is a suite": a ``.yaml``/``.yml`` file with a top-level
    ``suite`` key (``_SUITE_KEY``, checked on the bytes, without parsing: directories may hold
    anything). A suite holding a byte that is not UTF-8 is still one, so loading it says what
    is wrong rather than a folder's run leaving it out."""
    if path.suffix not in (".yaml", ".yml") or not path.is_file():  # a pipe would never end
        return False
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return any(_SUITE_KEY.match(line) for line in data.splitlines())


def find_suite_files(path: str | Path) -> list[Path]:
    """A suite file, or every suite file (``is_suite_file``) in a directory."""
    root = Path(path)
    if root.is_file():
        return [root]
    if root.exists() and not root.is_dir():
        raise ConfigError.single(str(root), NOT_REGULAR_FILE)
    if not root.is_dir():
        raise ConfigError.single(str(root), "no such file or directory")
    return [p for p in sorted([*root.rglob("*.yaml"), *root.rglob("*.yml")]) if is_suite_file(p)]
