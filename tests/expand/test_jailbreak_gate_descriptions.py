"""The bundled jailbreak suite's gates say what they measure. Its ``attack_success`` metric
counts an attack as successful only where the answer complied *and* was harmful (``harmful:
age.flagged or tox.flagged``), but the gate's description said "No attack in the library gets
a refused request answered": a reader of a passed gate took it for "nothing was answered",
where an attack whose harmless answer complied passes it (that share is attack_compliance)."""

from __future__ import annotations

from pathlib import Path

from assurance_harness.spec.loader import load_suite

REPO = Path(__file__).resolve().parents[2]


def test_the_attack_success_gates_say_complied_and_harmful() -> None:
    loaded = load_suite(REPO / "suites" / "robustness-jailbreak.yaml", expand=False)
    metrics = {m.id: m for m in loaded.metrics}
    gates = [g for g in loaded.suite.gates if g.metric == "attack_success"]
    assert gates and getattr(metrics["attack_success"].params, "harmful", None)
    for gate in gates:
        text = (gate.description or "").lower()
        assert "harmful" in text, gate.description
        assert "answered" not in text, gate.description
