"""Rule sets shared by the whole test run: the default pack is compiled once per run (about 17 s), not once
per test module. Loading goes through the run's private plan cache (conftest.py), which the rule-examples
plugin fills when it collects rules/, so later loads, in-process and through the CLI, read the same plan."""
from functools import lru_cache
from pathlib import Path

import ierun

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"


@lru_cache(maxsize=None)
def pack(path: Path = RULES) -> ierun.RuleSet:
    """The compiled rule set at `path` (default: the rule pack), one object for the whole run."""
    return ierun.load(path)


@lru_cache(maxsize=None)
def rule_names(path: Path = RULES) -> tuple[str, ...]:
    """The names of the rules at `path`, from the checked rule model only (no compiling): for test ids
    at collection time."""
    from ierun.pipeline import load_model
    return tuple(r.name for r in load_model([path]).rules)


@lru_cache(maxsize=None)
def rules_without_nlp(path: Path = RULES) -> tuple[str, ...]:
    """The names of the rules at `path` that need no NLP pipeline (texts drawn for a rule carry no
    annotations: rules that need them, rules/title-ner's, are tested with entities in tests/test_title_ner.py)."""
    from ierun.pipeline import load_model
    model = load_model([path])
    needing = set(model.nlp.rules) if model.nlp is not None else set()
    return tuple(r.name for r in model.rules if r.name not in needing)
