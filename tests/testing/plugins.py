"""Third-party plugins installed for real: a distribution (a ``.dist-info`` folder on the path,
as pip writes it) whose entry points the harness finds in a subprocess."""

from __future__ import annotations

import os
from pathlib import Path


def installed_plugin(
    root: Path, name: str, modules: dict[str, str], entry_points: str
) -> dict[str, str]:
    """A distribution ``name`` installed in ``root/site``, holding ``modules`` (module name ->
    source) and ``entry_points`` (the text of its ``entry_points.txt``); the environment that
    puts it on the path of a subprocess."""
    site = root / "site"
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    for module, source in modules.items():
        (site / f"{module}.py").write_text(source, encoding="utf-8")
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(entry_points, encoding="utf-8")
    path = os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))
    return {"PYTHONPATH": path}
