"""The larger fuzz run: the test suite's generators (tests/test_fuzz.py) at scale.

    PYTHONPATH=src python benchmarks/fuzz.py --validate 2000 --run 200

Prints how many generated suites ended with each exit code, and any that ended otherwise (a
traceback escaping, or an exit code outside {0, 2} for validate and {0, 1, 2, 3} for run).
Exit status 1 when there was any such failure.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import test_fuzz


def _fuzz(command: str, examples: int, seed: int) -> tuple[Counter[int], list[str]]:
    codes: Counter[int] = Counter()
    failures: list[str] = []
    allowed = {0, 2} if command == "validate" else {0, 1, 2, 3}
    root = Path(tempfile.mkdtemp(prefix=f"fuzz-{command}-"))
    counter = iter(range(10**9))

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=test_fuzz.suites())
    def one(case: tuple[str, dict[str, str]]) -> None:
        folder = root / str(next(counter))
        folder.mkdir()
        suite = test_fuzz._write(folder, case)
        if command == "validate":
            args = ["validate", str(suite)]
        else:
            (folder / "fuzz_echo_target.py").write_text(test_fuzz.ECHO, encoding="utf-8")
            target = folder / "t.yaml"
            target.write_text(
                f"type: callable\nfunction: fuzz_echo_target:reply\npython_path: ['{folder}']\n",
                encoding="utf-8",
            )
            args = ["run", str(suite), "--target", str(target), "--reports", str(folder / "r")]
            args += ["--no-report", "--no-evidence"]
        try:
            code = test_fuzz._invoke(args)
        except AssertionError as exc:
            failures.append(f"{folder}: {exc}".splitlines()[0])
            return
        codes[code] += 1
        if code not in allowed:
            failures.append(f"{folder}: exit {code}")

    one._hypothesis_internal_use_seed = seed  # type: ignore[attr-defined]
    one()
    return codes, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--validate", type=int, default=1000, help="suites to validate")
    parser.add_argument("--run", type=int, default=100, help="suites to run")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    bad = 0
    for command, count in (("validate", args.validate), ("run", args.run)):
        if not count:
            continue
        started = time.perf_counter()
        codes, failures = _fuzz(command, count, args.seed)
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"exit {k}: {v}" for k, v in sorted(codes.items()))
        print(f"{command}: {sum(codes.values())} suites in {elapsed:.1f} s; {summary}")
        for failure in failures:
            print(f"  FAIL {failure}")
        bad += len(failures)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
