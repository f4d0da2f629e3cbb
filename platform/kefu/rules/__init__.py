"""Decision points as rulesets: declarations, validation, the durable-rules adapter, the explainer.

Pure: nothing here imports Flask or the database; the Flask side lives in `kefu.decisions`.
"""

from .decision import Decision, decide
from .definition import RuleError, validate_ruleset
from .engine import Engine, EngineError
from .points import POINTS, DecisionPoint, get_point

__all__ = [
    "POINTS",
    "Decision",
    "DecisionPoint",
    "Engine",
    "EngineError",
    "RuleError",
    "decide",
    "get_point",
    "validate_ruleset",
]
