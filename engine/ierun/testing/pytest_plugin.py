"""pytest plugin: collects the examples next to the rules as test items, one item per example.

Enable it by listing rule directories in the pytest configuration::

    [tool.pytest.ini_options]
    ierun_rules = ["rules", "examples/rules"]

and running pytest on them (e.g. `testpaths = ["tests", "rules"]`, or `pytest rules/`). Examples of rules
that use NLP annotations run with the pipeline `ierun_nlp = "en_core_web_sm"` (a name or a folder, relative
to the root); without one they are skipped. Registered through the
`pytest11` entry point of the ierun package."""
from __future__ import annotations

from pathlib import Path

import pytest

from ..errors import IerunError
from ..pipeline import RULE_SUFFIXES, rule_sets


def pytest_addoption(parser):
    parser.addini("ierun_rules", "rule directories whose examples run as tests", type="paths", default=[])
    parser.addini("ierun_nlp", "an NLP pipeline (an installed spaCy pipeline's name, or a folder) for the examples "
                  "of rules that use NLP annotations; none: those examples are skipped", default="")


def _sets(config):
    cache = config.stash.setdefault(_SETS_KEY, {})
    if "_roots" not in cache:
        roots = [Path(p).resolve() for p in config.getini("ierun_rules")]
        cache["_roots"] = [[Path(x).resolve() for x in s] for s in rule_sets(roots)]
    return cache


_SETS_KEY = pytest.StashKey[dict]()


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix not in RULE_SUFFIXES:
        return None
    cache = _sets(parent.config)
    path = file_path.resolve()
    for rule_set in cache["_roots"]:
        if any(path == p or p in path.parents for p in rule_set):
            return RuleFileCollector.from_parent(parent, path=file_path, rule_set=tuple(rule_set))
    return None


class RuleFileCollector(pytest.File):
    def __init__(self, *, rule_set, **kw):
        super().__init__(**kw)
        self.rule_set = rule_set

    def collect(self):
        from ..pipeline import RuleSet
        from ..pipeline import load_plan
        cache = _sets(self.config)
        if self.rule_set not in cache:
            try:
                cache[self.rule_set] = RuleSet(load_plan(list(self.rule_set)))
            except IerunError as err:
                cache[self.rule_set] = err
            rules = cache[self.rule_set]
            spec = self.config.getini("ierun_nlp")
            if not isinstance(rules, IerunError) and spec and rules.plan.nlp_needs is not None:
                from ..nlp import load_pipeline
                folder = Path(self.config.rootpath) / spec
                try:
                    rules.nlp = load_pipeline(str(folder) if folder.is_dir() else spec)
                except IerunError as err:
                    cache[self.rule_set] = err
        rules = cache[self.rule_set]
        if isinstance(rules, IerunError):
            raise self.CollectError(str(rules))
        mine = str(self.path.resolve())
        for rule in rules.ir.rules:
            if rule.loc is None or str(Path(rule.loc.source.full_path).resolve()) != mine:
                continue
            for i, ex in enumerate(rule.examples):
                kind = "example" if ex.positive else "counter"
                yield RuleExampleItem.from_parent(self, name=f"{rule.name}::{kind}{i}", rules=rules,
                                                  rule=rule.name, example=ex)


class ExampleFailed(Exception):
    pass


class RuleExampleItem(pytest.Item):
    def __init__(self, *, rules, rule, example, **kw):
        super().__init__(**kw)
        self.rules, self.rule, self.example = rules, rule, example

    def runtest(self):
        from ..nlp import text_annotator
        from .examples import check_example
        outcome = check_example(self.rules, self.rule, self.example, text_annotator(self.rules))
        if outcome.skipped:
            pytest.skip(f"{outcome.skipped}: set ierun_nlp (a spaCy pipeline's name or folder) in the pytest "
                        f"configuration to run it")
        if not outcome.ok:
            raise ExampleFailed(outcome.report())

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ExampleFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        line = self.example.loc.line - 1 if self.example.loc else 0
        return self.path, line, f"{self.rule}: {self.example.text[:50]!r}"
