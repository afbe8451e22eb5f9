"""Running the examples that live next to the rules: `ierun test`, the pytest plugin and tests share it.

A positive example passes when its rule produces a fact whose named fields equal the expected values (fields
not named are not checked); a counter-example passes when its rule produces nothing."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import ast as A
from .values import BadValue, coerce, same_value, to_json


@dataclass(frozen=True)
class Outcome:
    rule: str
    example: A.Example
    ok: bool
    message: str = ""

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


def check_example(rules, rule_name: str, example: A.Example) -> Outcome:
    """Run one example of one rule of a loaded RuleSet."""
    ir_rule = rules.ir.rule(rule_name)
    fact_type = rules.ir.facts[ir_rule.fact]
    published = dt.date.fromisoformat(example.published) if example.published else None
    result = rules.extractor.run(example.text, published, trace=True, include_hidden=True)
    mine = [f for f in result.facts if f.rule == rule_name]
    problems = "".join(f"  problem: {p.message}\n" for p in result.problems)
    if not example.positive:
        if not mine:
            return Outcome(rule_name, example, True)
        got = "\n".join(f"  got:      {_fields(f.fields)}  (from {f.text!r} at {f.start}-{f.end})" for f in mine)
        return Outcome(rule_name, example, False, f"  expected: no {ir_rule.fact} from this rule\n{got}\n{problems}")
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
        hidden = [t for t in (result.trace or []) if t.startswith(f"dropped {rule_name} ")]
        failed = [t for t in (result.trace or []) if t.startswith(f"failed  {rule_name} ")]
        lines += [f"  note:     {t}" for t in hidden + failed]
    return Outcome(rule_name, example, False, "\n".join(lines) + "\n" + problems)


def run_examples(rules, only_rules=None) -> list[Outcome]:
    out = []
    for rule in rules.ir.rules:
        if only_rules is not None and rule.name not in only_rules:
            continue
        for ex in rule.examples:
            out.append(check_example(rules, rule.name, ex))
    return out


def summary(outcomes) -> str:
    failed = sum(1 for o in outcomes if not o.ok)
    return f"{len(outcomes) - failed} passed, {failed} failed"
