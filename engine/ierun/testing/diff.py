"""`ierun diff`: what an edit of the rules does to the facts of a corpus, fact by fact.

Two runs' facts of one document (dicts in the JSON Lines contract) are compared by fact type and span:
a fact only the new rules find is `added`, one only the old rules found is `removed`, and one with the same
type and span whose rule, fields or field spans differ is `changed`. Identical facts are not changes.

Against a gold file every change gets a verdict from the scoring `ierun eval` uses (evaluate.score, the rule
set's scoring schemes): the change is applied alone to the old facts of its document, and the measures of its
fact type are scored before and after; the first measure (in the scheme's order, `strict` first) whose
`tp - fp` moves decides: up is a `fix`, down a `regression`; none moving (or a fact type or document the
gold does not score) is `neutral`."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from .evaluate import score
from .scoring import Scheme

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
FIX, REGRESSION, NEUTRAL = "fix", "regression", "neutral"


@dataclass
class Change:
    doc: str
    change: str          # added | removed | changed
    type: str
    old: dict | None     # the fact in the JSON Lines contract, or None
    new: dict | None
    verdict: str | None = None  # fix | regression | neutral; None without gold

    @property
    def fact(self) -> dict:
        return self.new if self.new is not None else self.old

    @property
    def rules(self) -> list[str]:
        """The rules involved: the old fact's and the new fact's (once if they are the same)."""
        names = [f["rule"] for f in (self.old, self.new) if f is not None]
        return list(dict.fromkeys(names))

    def as_dict(self) -> dict:
        return {"doc": self.doc, "change": self.change, "type": self.type, "old": self.old, "new": self.new,
                "verdict": self.verdict}


def _same(a: dict, b: dict) -> bool:
    return (a["rule"], a["text"], a["fields"], a["field_spans"]) == (b["rule"], b["text"], b["fields"], b["field_spans"])


def compare(doc: str, old: list[dict], new: list[dict]) -> list[Change]:
    """The changes from old facts to new facts of one document, in the order of their spans."""
    by_key = defaultdict(lambda: ([], []))
    for f in old:
        by_key[(f["start"], f["end"], f["type"])][0].append(f)
    for f in new:
        by_key[(f["start"], f["end"], f["type"])][1].append(f)
    changes = []
    for (start, end, type_), (olds, news) in sorted(by_key.items()):
        olds, news = list(olds), list(news)
        for f in list(olds):  # identical facts on both sides are no change
            twin = next((g for g in news if _same(f, g)), None)
            if twin is not None:
                olds.remove(f)
                news.remove(twin)
        for a, b in zip(olds, news):
            changes.append(Change(doc, CHANGED, type_, a, b))
        changes += [Change(doc, REMOVED, type_, a, None) for a in olds[len(news):]]
        changes += [Change(doc, ADDED, type_, None, b) for b in news[len(olds):]]
    return changes


def _system(facts: list[dict]) -> dict[str, list]:
    """One document's facts as evaluate.score reads them: type -> [(fields, text)]."""
    out = defaultdict(list)
    for f in facts:
        out[f["type"]].append((f["fields"], f["text"]))
    return out


def _points(scheme: Scheme, doc: str, record: dict, facts: list[dict]) -> list[int]:
    """tp - fp of each measure of the scheme on one document."""
    scores = score({scheme.fact_type: scheme}, {doc: record}, {doc: _system(facts)})
    return [scores[f"{scheme.fact_type}.{m.name}"].tp - scores[f"{scheme.fact_type}.{m.name}"].fp
            for m in scheme.measures if f"{scheme.fact_type}.{m.name}" in scores]


def judge(changes: list[Change], old_facts: list[dict], schemes: dict[str, Scheme], gold: dict[str, dict]) -> None:
    """Set the verdict of each change of one document (whose old facts are `old_facts`)."""
    for ch in changes:
        scheme, record = schemes.get(ch.type), gold.get(ch.doc)
        if scheme is None or record is None or scheme.gold_facts(record) is None:
            ch.verdict = NEUTRAL
            continue
        mine = [f for f in old_facts if f["type"] == ch.type]
        after = [f for f in mine if f is not ch.old] + ([ch.new] if ch.new is not None else [])
        before_points, after_points = _points(scheme, ch.doc, record, mine), _points(scheme, ch.doc, record, after)
        ch.verdict = NEUTRAL
        for b, a in zip(before_points, after_points):
            if a != b:
                ch.verdict = FIX if a > b else REGRESSION
                break


@dataclass
class Summary:
    """Counts of changes per rule and per fact type: {name: Counter(added=, removed=, changed=, fix=, ...)}."""

    by_rule: dict
    by_type: dict

    @classmethod
    def of(cls, changes) -> "Summary":
        by_rule, by_type = defaultdict(Counter), defaultdict(Counter)
        for ch in changes:
            for counter in [by_type[ch.type]] + [by_rule[r] for r in ch.rules]:
                counter[ch.change] += 1
                if ch.verdict is not None:
                    counter[ch.verdict] += 1
        return cls(dict(sorted(by_rule.items())), dict(sorted(by_type.items())))


def summary_table(title: str, counts: dict, with_verdicts: bool) -> str:
    cols = [ADDED, REMOVED, CHANGED] + ([FIX, REGRESSION, NEUTRAL] if with_verdicts else [])
    width = max([len(title)] + [len(k) for k in counts])
    lines = [f"{title:{width}} " + " ".join(f"{c:>10}" for c in cols)]
    for name, c in counts.items():
        lines.append(f"{name:{width}} " + " ".join(f"{c[col]:10}" for col in cols))
    return "\n".join(lines) + "\n"


def figures_table(before: dict, after: dict) -> str:
    """Each measure's precision, recall and F1 before and after (Score objects of evaluate.score)."""
    names = list(dict.fromkeys(list(before) + list(after)))
    width = max([len("measure")] + [len(n) for n in names])
    lines = [f"{'measure':{width}} {'P before':>9} {'P after':>9} {'R before':>9} {'R after':>9} "
             f"{'F1 before':>9} {'F1 after':>9} {'F1 change':>9}"]
    for n in names:
        b, a = before.get(n), after.get(n)
        cells = []
        for attr in ("precision", "recall", "f1"):
            cells += [f"{getattr(b, attr):9.3f}" if b else f"{'-':>9}", f"{getattr(a, attr):9.3f}" if a else f"{'-':>9}"]
        delta = f"{a.f1 - b.f1:+9.3f}" if a and b else f"{'-':>9}"
        lines.append(f"{n:{width}} " + " ".join(cells) + f" {delta}")
    return "\n".join(lines) + "\n"
