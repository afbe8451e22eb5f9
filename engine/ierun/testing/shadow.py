"""Lint warning W302: a rule shadowed by another. Each positive example of the rule is run through the
compiled rule set with the trace on; when every one of them has the rule's match dropped by overlap
resolution for another rule's fact (and none kept), the rule can never give its fact where it was meant to."""
from __future__ import annotations

import datetime as dt

from ..engine.trace import Dropped, Kept
from ..language.lint import Finding, warn
from ..messages import Errors


def shadowed(rules) -> list[Finding]:
    """W302 for every shadowed rule of a loaded RuleSet, naming the rules that take its place. Without an NLP
    pipeline, the rules that need one are not judged (the others run with no annotations)."""
    from .examples import annotations_for
    out: list[Finding] = []
    for rule in rules.ir.rules:
        positives = [e for e in rule.examples if e.positive]
        winners: set[str] = set()
        for ex in positives:
            published = dt.date.fromisoformat(ex.published) if ex.published else None
            annotations, cannot = annotations_for(rules, rule.name, ex.text)
            if cannot:
                break
            run = rules.extractor.run(ex.text, published, trace=True, include_hidden=True) if annotations is None \
                else rules.extractor.run(ex.text, published, trace=True, include_hidden=True, annotations=annotations)
            if any(isinstance(e, Kept) and e.rule == rule.name for e in run.trace):
                break
            beaten = sorted({e.winner for e in run.trace if isinstance(e, Dropped) and e.rule == rule.name})
            if not beaten:
                break  # the example fails for another reason: ierun test reports it
            winners.update(beaten)
        else:
            if positives:
                warn(out, Errors.SHADOWED, rule.loc, rule.loc, rule=rule.name, other="', '".join(sorted(winners)))
    return out
