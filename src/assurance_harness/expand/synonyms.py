"""The curated synonym table of the ``synonym`` perturbation.

The table is data, ``assurance_harness/data/robustness/synonyms.yaml`` (shipped in the
package): hand-written replacements that keep the meaning in ordinary use, in the same word
form, instead of WordNet (a separate download whose senses often change meaning in context).
Its version is versioned with the operator: changing an entry changes perturbed prompts for the
same seed.
"""

from __future__ import annotations

from ..data import load_yaml

SYNONYMS_FILE = "robustness/synonyms.yaml"

TABLE_VERSION: str = str(load_yaml(SYNONYMS_FILE)["version"])

SYNONYMS: dict[str, list[str]] = {
    str(word): [str(r) for r in replacements]
    for word, replacements in load_yaml(SYNONYMS_FILE)["synonyms"].items()
}
"""Word (lower case) -> replacements that keep the meaning in ordinary use."""
