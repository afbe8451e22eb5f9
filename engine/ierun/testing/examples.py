"""Running the examples that live next to the rules: `ierun test`, the pytest plugin and tests share it.

A positive example passes when its rule produces a fact whose named fields equal the expected values (fields
not named are not checked); a counter-example passes when its rule produces nothing."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..language import nodes as A
from ..engine.trace import Failed
from ..language.normalize import NoSuchDate
from ..language.values import BadValue, coerce, same_value, to_json


@dataclass(frozen=True)
class Outcome:
    rule: str
    example: A.Example
    ok: bool
    message: str = ""
    skipped: str | None = None  # why the example could not be checked (its rule needs an NLP pipeline)

    @property
    def title(self) -> str:
        kind = "example" if self.example.positive else "counter"
        text = " ".join(self.example.text.split())
        return f"{self.rule} {kind} {text[:60]!r}"

    def report(self) -> str:
        loc = self.example.loc
        where = f"{loc}: " if loc is not None else ""
        return f"{where}FAIL {self.title}\n{self.message}"


def _fields(d: dict) -> str:
    return ", ".join(f"{k}={to_json(v)}" for k, v in d.items())


def annotations_for(rules, rule_name: str, text: str, annotate=None):
    """(the annotations to run `rule_name` on `text` with, None) or (None, why it cannot run). `annotate`: a
    function text -> ierun.annotations.Annotations (an NLP pipeline), or None when there is none: then a rule
    that needs a pipeline cannot run, and the others run with no annotations."""
    needs = rules.plan.nlp_needs
    if needs is None:
        return None, None
    if annotate is not None:
        return annotate(text), None
    if rule_name in needs.rules:
        return None, f"needs an NLP pipeline ({needs.declared_at}); none was given"
    from ..annotations import Annotations
    return Annotations(), None


def check_example(rules, rule_name: str, example: A.Example, annotate=None) -> Outcome:
    """Run one example of one rule of a loaded RuleSet (`annotate`: see `annotations_for`)."""
    ir_rule = rules.ir.rule(rule_name)
    fact_type = rules.ir.facts[ir_rule.fact]
    published = dt.date.fromisoformat(example.published) if example.published else None
    annotations, skipped = annotations_for(rules, rule_name, example.text, annotate)
    if skipped:
        return Outcome(rule_name, example, True, skipped=skipped)
    result = rules.extractor.run(example.text, published, trace=True, include_hidden=True, annotations=annotations)
    mine = [f for f in result.facts if f.rule == rule_name]
    problems = "".join(f"  problem: {p.message}\n" for p in result.problems)
    if not example.positive:
        if not mine:
            return Outcome(rule_name, example, True)
        got = "\n".join(f"  got:      {_fields(f.fields)}  (from {f.text!r} at {f.start}-{f.end})" for f in mine)
        return Outcome(rule_name, example, False, f"  expected: no {ir_rule.fact} from this rule\n{got}\n"
                                                  f"{_why(rules, rule_name, example, published, annotations)}{problems}")
    expected = {}
    for name, value in example.fields:
        decl = fact_type.field(name)
        try:
            expected[name] = coerce(value, A.TypeRef(decl.type.name, True)) if decl else value.value
        except BadValue:
            expected[name] = value.value
    for f in mine:
        if all(same_value(v, f.fields.get(k)) for k, v in expected.items()):
            return Outcome(rule_name, example, True)
    lines = [f"  expected: {_fields(expected) or 'a ' + ir_rule.fact + ' fact'}"]
    lines += [f"  got:      {_fields(f.fields)}  (from {f.text!r} at {f.start}-{f.end})" for f in mine]
    if not mine:
        lines.append("  got:      nothing from this rule")
    return Outcome(rule_name, example, False, "\n".join(lines) + "\n" +
                   _why(rules, rule_name, example, published, annotations) + problems)


def _why(rules, rule_name: str, example: A.Example, published, annotations=None) -> str:
    """The rule's explanation on the example's text (why it did not match, or where its fields came from)."""
    from .explain import explain
    e = explain(rules, example.text, rule_name, published=published, annotations=annotations)[0]
    return "  why:\n" + e.render("    ") + "\n"


def run_examples(rules, only_rules=None, annotate=None) -> list[Outcome]:
    out = []
    for rule in rules.ir.rules:
        if only_rules is not None and rule.name not in only_rules:
            continue
        for ex in rule.examples:
            out.append(check_example(rules, rule.name, ex, annotate))
    return out


def summary(outcomes) -> str:
    failed = sum(1 for o in outcomes if not o.ok)
    skipped = sum(1 for o in outcomes if o.skipped)
    return f"{len(outcomes) - failed - skipped} passed, {failed} failed" + (f", {skipped} skipped" if skipped else "")


@dataclass(frozen=True)
class PropertyReport:
    """A rule whose property check failed (a shrunk text that shows it) or could not run (no texts drawn)."""

    rule: str
    loc: object
    failed: bool
    why: str
    text: str | None = None

    def render(self) -> str:
        if not self.failed:
            return f"{self.loc}: SKIP {self.rule}: {self.why}\n"
        return (f"{self.loc}: FAIL {self.rule}: {self.why}\n  minimal text: {self.text!r}\n"
                f"  record it next to the rule, as what it must do:\n"
                f"    example {_quote(self.text)} {{ ... }}   or   counter {_quote(self.text)}\n")


def hypothesis_check(rules, max_examples: int = 30, only_rules=None, annotate=None) -> list[PropertyReport]:
    """Property checks with texts drawn from each rule's structure: what the rule matches must give a fact
    (not fail while building its values) and must still match inside unrelated text. Returns a report per
    rule that fails (`render` gives the shrunk text and how to record it next to the rule)."""
    reports = []
    for rule in rules.ir.rules:
        if only_rules is not None and rule.name not in only_rules:
            continue
        _, skipped = annotations_for(rules, rule.name, "", annotate)
        needs = rules.plan.nlp_needs
        if not skipped and needs is not None and rule.name in needs.rules:
            skipped = "--hypothesis draws plain texts: a rule over NLP entities or tokens is not checked"
        if skipped:
            reports.append(PropertyReport(rule.name, rule.loc, False, skipped))
            continue
        reports.extend(_check_rule(rules, rule, max_examples, annotate))
    return reports


def _check_rule(rules, rule, max_examples: int, annotate=None) -> list[PropertyReport]:
    from hypothesis import HealthCheck, Verbosity, given, settings
    from hypothesis.errors import HypothesisException

    from ..engine.compile import may_start_raw
    from .strategies import texts_matching

    @settings(max_examples=max_examples, deadline=None, database=None, suppress_health_check=list(HealthCheck),
              verbosity=Verbosity.quiet)  # (no "@seed" lines: the report says what to do)
    @given(texts_matching(rules, rule.name))
    def prop(text):
        run = rules.extractor.run(text, _PROBE_DATE, trace=True, include_hidden=True,
                                  annotations=annotations_for(rules, rule.name, text, annotate)[0])
        # a date the calendar does not have (31 April) is rightly dropped; any other failure is the rule's
        failed = [e for e in run.trace if isinstance(e, Failed) and e.rule == rule.name and e.reason != NoSuchDate.reason]
        if failed:
            raise Counterexample(text, failed[0].render())
        if rule.scope.kind == "first" or may_start_raw(rule.pattern):
            return  # anchored at the start of a document: other text before it changes what it means
        embedded = f"It rained.\n\n{text}\n\nThe talks went on."
        again = rules.extractor.run(embedded, _PROBE_DATE, trace=True, include_hidden=True,
                                    annotations=annotations_for(rules, rule.name, embedded, annotate)[0])
        if not any(e.rule == rule.name for e in again.trace):
            raise Counterexample(text, "not matched inside other text")

    try:
        try:
            prop()
        except ExceptionGroup as group:  # several distinct failures: report the first
            raise next(e for e in group.exceptions if isinstance(e, Counterexample)) from None
    except Counterexample as err:
        text, why = err.args
        return [PropertyReport(rule.name, rule.loc, True, why, text)]
    except HypothesisException as err:
        return [PropertyReport(rule.name, rule.loc, False, f"no texts could be drawn ({type(err).__name__}: {err})")]
    return []


_PROBE_DATE = dt.date(2024, 1, 2)


class Counterexample(Exception):
    """A text a rule's property fails on (raised, not asserted: pytest rewrites asserts in plugin packages)."""


def _quote(text: str) -> str:
    from ..language.printer import quote
    return quote(text)
