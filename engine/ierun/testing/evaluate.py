"""`ierun eval RULES GOLD.jsonl`: precision, recall and F1 per fact type and measure, as ../shared/eval/GUIDELINES.md
defines (and its reference score.py computes): facts of one article are matched as multisets of normalized
field keys; gold facts marked uncertain are optional; figures are micro-averaged over articles. Which fact
types are scored, and how, the rule set declares in its scoring schemes (scoring.py): this module knows none."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .scoring import Scheme


@dataclass
class Score:
    docs: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list = field(default_factory=list)
    alarms: list = field(default_factory=list)

    @property
    def precision(self):
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self):
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self):
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self):
        return {"docs": self.docs, "tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


def score(schemes: dict[str, Scheme], gold: dict[str, dict], system: dict[str, dict[str, list]]) -> dict[str, Score]:
    """schemes: fact type -> its scoring scheme; gold: doc id -> gold dict; system: doc id -> type ->
    [(fields, text)]."""
    out = {}
    for fact_type, scheme in schemes.items():
        for measure in scheme.measures:
            name, key = measure.name, measure.key
            sc = Score()
            for doc, g in gold.items():
                gf = scheme.gold_facts(g)
                if gf is None:
                    continue
                sc.docs += 1
                gc = Counter(key(f) for f in gf if not f.get("uncertain"))
                opt = Counter(key(f) for f in gf if f.get("uncertain"))
                sys_facts = system.get(doc, {}).get(fact_type, [])
                sc_ = Counter(key(f) for f, _ in sys_facts)
                m = sum((gc & sc_).values())
                sc.tp += m
                sc.fn += sum(gc.values()) - m
                extra = (sc_ - gc) - opt
                sc.fp += sum(extra.values())
                if name == "strict":
                    sc.misses += [(doc, k) for k in (gc - sc_).elements()]
                    left = Counter(extra)
                    for f, text in sys_facts:
                        k = key(f)
                        if left[k] > 0:
                            left[k] -= 1
                            sc.alarms.append((doc, k, text))
            if sc.docs:
                out[f"{fact_type}.{name}"] = sc
    return out


def table(scores: dict[str, Score]) -> str:
    lines = [f"{'measure':24} {'docs':>5} {'tp':>6} {'fp':>6} {'fn':>6} {'P':>7} {'R':>7} {'F1':>7}"]
    for k, v in scores.items():
        lines.append(f"{k:24} {v.docs:5} {v.tp:6} {v.fp:6} {v.fn:6} {v.precision:7.3f} {v.recall:7.3f} {v.f1:7.3f}")
    return "\n".join(lines) + "\n"


def errors(scores: dict[str, Score], n: int) -> str:
    out = []
    for k, v in scores.items():
        if not k.endswith(".strict"):
            continue
        fact_type = k.split(".")[0]
        out.append(f"--- {fact_type}: misses ({len(v.misses)})")
        out += [f"  {doc}: {key}" for doc, key in v.misses[:n]]
        out.append(f"--- {fact_type}: false alarms ({len(v.alarms)})")
        out += [f"  {doc}: {key}  from {text!r}" for doc, key, text in v.alarms[:n]]
    return "\n".join(out) + "\n"


def unscorable(facts: dict, schemes: dict[str, Scheme], gold: dict[str, dict], gold_path) -> list[str]:
    """Warnings, one per emitted fact type that cannot be scored: no scheme declares how, or no article of the
    gold file has the key its scheme reads."""
    out = []
    for name, fact in facts.items():
        if getattr(fact, "hidden", False):
            continue
        scheme = schemes.get(name)
        if scheme is None:
            out.append(f"fact type '{name}' is not scored: no scoring scheme declares how (add a [{name}] table "
                       f"to a scoring.toml beside the rules)")
        elif not any(scheme.gold_facts(record) is not None for record in gold.values()):
            out.append(f"fact type '{name}' is not scored: no article of {gold_path} has the key "
                       f"'{scheme.gold}' its scoring scheme reads")
    return out


def read_gold(gold_path):
    """The gold records of a gold file by article id, and the problems with its lines (raises OSError)."""
    import json
    gold, problems = {}, []
    with open(gold_path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    rec = json.loads(line)
                    gold[str(rec["id"])] = rec.get("gold", rec)
                except (ValueError, KeyError, TypeError) as err:
                    problems.append(f"{gold_path}:{n}: bad gold record: {err}")
    return gold, problems


def run_gold(rules, gold_path, facts_path=None, nlp_field: str | None = None, nlp_tokens: bool | None = None):
    """Apply rules to every article of a gold file: (gold by id, system facts by id and type, problems, the
    ids of the articles that failed). An article that failed (its annotations bad, the pipeline failing on it)
    is not in the gold returned: scoring it would count its facts as misses. `nlp_field`: the field of each
    article holding its NLP annotations (--nlp record; its tokens read only with `nlp_tokens`); else rules that
    use NLP annotations get them from the RuleSet's pipeline."""
    from collections import defaultdict

    from ..cli.emit import jsonl_line
    from ..cli.inputs import InputProblem, read_inputs
    system = defaultdict(lambda: defaultdict(list))
    gold, problems = read_gold(gold_path)
    failed = set()
    out = open(facts_path, "w", encoding="utf-8") if facts_path else None
    try:
        for doc in _annotated(rules, read_inputs([gold_path], jsonl=True, nlp_field=nlp_field, nlp_tokens=nlp_tokens)):
            if isinstance(doc, InputProblem):
                problems.append(str(doc))
                if doc.doc_id is not None:
                    failed.add(doc.doc_id)
                continue
            if isinstance(doc.annotations, str):  # the pipeline failed on this article
                problems.append(f"{doc.id}: {doc.annotations}")
                failed.add(doc.id)
                continue
            for f in rules.run(doc.text, doc.published, doc.id, annotations=doc.annotations).facts:
                d = f.to_dict()
                system[doc.id][f.type].append((d["fields"], f.text))
                if out:
                    out.write(jsonl_line(d))
    finally:
        if out:
            out.close()
    failed &= set(gold)
    return {k: v for k, v in gold.items() if k not in failed}, system, problems, failed


def _annotated(rules, docs, batch: int = 64):
    """The documents, with the annotations of the RuleSet's NLP pipeline when its rules use them: the texts go
    through `nlp.pipe` in batches (an article the pipeline fails on gets the message instead)."""
    from ..nlp import Annotator, annotated
    needs = rules.plan.nlp_needs
    if rules.nlp is None or needs is None:
        yield from docs
        return
    yield from annotated(docs, Annotator(rules.nlp, needs.tokens, batch))
