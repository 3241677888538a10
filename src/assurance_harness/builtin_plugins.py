"""Lazy registration of the built-in plugins: nothing heavy is imported until a suite uses it.

Each line maps a registry name to ``"module:Class"``. Keep one line per plugin.
"""

from __future__ import annotations

from .expand.base import expanders
from .metrics.base import metric_kinds
from .scorers.base import scorers
from .targets.base import targets

_TARGETS = {
    "openai": "assurance_harness.targets.openai_compat:OpenAITarget",
    "http": "assurance_harness.targets.http_json:HttpJsonTarget",
    "transformers": "assurance_harness.targets.transformers_local:TransformersTarget",
    "callable": "assurance_harness.targets.callable_target:CallableTarget",
    "replay": "assurance_harness.targets.replay:ReplayTarget",
}

_SCORERS = {
    # match scorers (foundation)
    "contains": "assurance_harness.scorers.match:ContainsScorer",
    "regex": "assurance_harness.scorers.match:RegexScorer",
    "length": "assurance_harness.scorers.match:LengthScorer",
    "exact": "assurance_harness.scorers.match:ExactScorer",
    # scorers I: toxicity, age-appropriateness, refusal
    "offensive-language": "assurance_harness.scorers.offensive:OffensiveLanguageScorer",
    "detoxify": "assurance_harness.scorers.detoxify_scorer:DetoxifyScorer",
    "hf-classifier": "assurance_harness.scorers.hf_classifier:HFClassifierScorer",
    "refusal": "assurance_harness.scorers.refusal:RefusalScorer",
    "age-appropriateness": "assurance_harness.scorers.age:AgeAppropriatenessScorer",
    "expected-behaviour": "assurance_harness.scorers.expected:ExpectedBehaviourScorer",
    # model-based scorers (opt-in: they call a judge or a guard model's endpoint)
    "llm-judge": "assurance_harness.scorers.llm_judge:LLMJudgeScorer",
    "guard-model": "assurance_harness.scorers.guard_model:GuardModelScorer",
    # scorers II: bias and robustness
    "sentiment": "assurance_harness.scorers.sentiment:SentimentScorer",
    "bbq-answer": "assurance_harness.scorers.bbq:BbqAnswerScorer",
    "consistency": "assurance_harness.scorers.similarity:ConsistencyScorer",
    # privacy
    "pii": "assurance_harness.scorers.privacy:PiiScorer",
    "solicits-personal-data": "assurance_harness.scorers.privacy:SolicitsPersonalDataScorer",
    "canary-leak": "assurance_harness.scorers.privacy:CanaryLeakScorer",
}

_METRICS = {
    "rate": "assurance_harness.metrics.aggregate:RateMetric",
    "mean": "assurance_harness.metrics.aggregate:MeanMetric",
    "quantile": "assurance_harness.metrics.aggregate:QuantileMetric",
    # scorers II: disparity and paired metrics
    "disparity": "assurance_harness.metrics.disparity:DisparityMetric",
    "paired": "assurance_harness.metrics.paired:PairedDeltaMetric",
    "bbq": "assurance_harness.metrics.bbq_bias:BbqMetric",
    "flip-rate": "assurance_harness.metrics.robustness:FlipRateMetric",
    "attack-success": "assurance_harness.metrics.robustness:AttackSuccessMetric",
}

_EXPANDERS: dict[str, str] = {
    # scorers II: counterfactual and perturbation expanders
    "counterfactual": "assurance_harness.expand.counterfactual:CounterfactualExpander",
    "perturb": "assurance_harness.expand.perturb:PerturbExpander",
    "attack": "assurance_harness.expand.attacks:AttackExpander",
    "bbq-prompt": "assurance_harness.expand.bbq:BbqPromptExpander",
    "bold": "assurance_harness.expand.bold:BoldExpander",
}


def register_builtins() -> None:
    """Idempotent: register every built-in plugin lazily."""
    for name, ref in _TARGETS.items():
        targets.register_lazy(name, ref)
    for name, ref in _SCORERS.items():
        scorers.register_lazy(name, ref)
    for name, ref in _METRICS.items():
        metric_kinds.register_lazy(name, ref)
    for name, ref in _EXPANDERS.items():
        expanders.register_lazy(name, ref)


register_builtins()
