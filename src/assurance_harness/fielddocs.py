"""The models' field docstrings, read from the source only where something documents the formats.

A docstring under a model field becomes its JSON Schema description (``assurance schema``), through
pydantic's ``use_attribute_docstrings``, which reads each model's source as the class is made:
about 0.1 s of a run's start-up for some 40 models. Nothing but the JSON Schema reads those
descriptions, so the ``assurance`` command defers them when it prints no schema; a library import
(and every test) reads them as before.

Each model's validator is still built as its class is made, not where it is first used
(pydantic's ``defer_build``, which saved about 12 ms of a run's start-up): a run's imports defer
a Ctrl-C until they are done (``runner.forcestop.deferred``), but loading the suite and the
target after them built the models on the main thread, where a Ctrl-C landing in pydantic's
compiled core was lost (the run went on) or became a SchemaError (an internal error, exit 3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # a dict at run time: the CLI imports this module before it needs pydantic
    from pydantic import ConfigDict

_read = True


def model_config(
    *, extra: Literal["forbid", "allow"], populate_by_name: bool = False
) -> ConfigDict:
    """A model's ``model_config``: ``extra`` (and ``populate_by_name``), field docstrings read
    unless :func:`defer` came first."""
    config: ConfigDict = {"extra": extra, "use_attribute_docstrings": _read}
    if populate_by_name:
        config["populate_by_name"] = True
    return config


def defer() -> None:
    """Make the models created from now on without their field descriptions (the ``assurance``
    command, before a command that prints no schema). Validation is the same either way."""
    global _read
    _read = False


def require() -> None:
    """Stop a schema from being made in a process whose models may lack their descriptions: it
    would be missing them silently."""
    if not _read:
        raise RuntimeError(
            "the models' field docstrings were not read in this process (fielddocs.defer); "
            "a JSON Schema made now would lack their descriptions"
        )
