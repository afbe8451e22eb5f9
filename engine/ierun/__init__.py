"""ierun: a rule language and compiled matching engine for extracting facts from news.

    >>> import ierun
    >>> rules = ierun.load("examples/rules")
    >>> facts = rules.extract("... amounted to $1.8 billion ...")
    >>> [f.to_dict() for f in facts]
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["load", "loads", "RuleSet", "Fact", "IerunError", "RuleError", "__version__"]

import datetime as _dt

from .errors import IerunError, RuleError
from .facts import Fact


class RuleSet:
    """A loaded, compiled rule set: `extract` facts from text.

    One RuleSet may be shared between threads: `extract` keeps a document's state in the call, each thread
    scans with Hyperscan scratch space of its own, and compiled patterns are read-only."""

    def __init__(self, plan, timeout: float | None = None):
        from .match import DEFAULT_TIMEOUT, Extractor
        self.plan = plan
        self.extractor = Extractor(plan, timeout or DEFAULT_TIMEOUT)

    @property
    def ir(self):
        return self.plan.ruleset

    def extract(self, text: str, published: _dt.date | str | None = None, doc_id: str | None = None) -> list[Fact]:
        if isinstance(published, str):
            published = _dt.date.fromisoformat(published[:10])
        return self.extractor.extract(text, published, doc_id)

    def extract_dicts(self, text: str, published=None, doc_id=None) -> list[dict]:
        return [f.to_dict() for f in self.extract(text, published, doc_id)]


def load(*paths, use_cache: bool = True, timeout: float | None = None) -> RuleSet:
    """Load rule files and directories (DSL `.ie` or YAML) into a compiled RuleSet; with no path, the default
    rule pack that ships with ierun."""
    from .loader import load_plan
    from .paths import default_rules_dir
    return RuleSet(load_plan(paths or (default_rules_dir(),), use_cache=use_cache), timeout)


def loads(source: str, syntax: str = "ie", path: str = "<string>", timeout: float | None = None) -> RuleSet:
    """Compile rules given as a string, in the DSL (`syntax="ie"`) or YAML (`syntax="yaml"`)."""
    from .check import check
    from .compile import compile_ruleset
    from .lower import lower
    from .parser import parse_text
    from .yaml_front import parse_yaml
    rule_file = parse_yaml(source, path) if syntax == "yaml" else parse_text(source, path)
    return RuleSet(compile_ruleset(lower(check([rule_file]))), timeout)
