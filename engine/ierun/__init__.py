"""ierun: a rule language and compiled matching engine for extracting facts from news.

    >>> import ierun
    >>> rules = ierun.load("examples/rules")
    >>> facts = rules.extract("... amounted to $1.8 billion ...")
    >>> [f.to_dict() for f in facts]

The package by stage: `language/` (front-ends, checks, lowering to the IR), `engine/` (compiling the IR,
matching documents), `cli/` (commands, inputs, writers), `testing/` (examples, strategies, the pytest plugin,
the reference interpreter); `pipeline.py` wires them.
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["load", "loads", "RuleSet", "Fact", "IerunError", "RuleError", "__version__"]

from .errors import IerunError, RuleError
from .facts import Fact
from .pipeline import RuleSet, load, loads
