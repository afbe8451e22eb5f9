"""An NLP pipeline's annotations in a run: entity facts, the error for a missing pipeline, the note for the
optional rules skipped without one.

Entity facts: each entity whose label the rules declare (`uses nlp entities PERSON`) is a fact of that type,
span exact, fields text (white space folded, as a capture's text) and label, made before the first phase and
masked for the rules that consume it like any consumed fact. Entities of one label that overlap are resolved
as spaCy's `filter_spans` does: the longest first, then the one that starts first; the others are dropped
(a consumed fact is masked as one marker, so two overlapping ones of a type cannot both be read)."""
from __future__ import annotations

from ..errors import Diagnostic, IerunError, diagnostic
from ..facts import Fact
from ..messages import Errors

ENTITY_RULE = "nlp"  # the `rule` of an entity fact


class NlpMissing(IerunError):
    """The rules need an NLP pipeline and the run was given no annotations (E202: the declaration's place)."""


def describe(needs) -> str:
    """What the rules need, in words: "entities PERSON, ORG and tokens"."""
    parts = []
    if needs.entities:
        parts.append("entities " + ", ".join(sorted(needs.entities)))
    if needs.tokens:
        parts.append("tokens")
    return " and ".join(parts) or "a pipeline"


def missing(needs) -> NlpMissing:
    """The error for running rules that need a pipeline without one (the CLI shows it at start-up)."""
    return NlpMissing([diagnostic(Errors.NLP_MISSING, needs.loc, what=describe(needs))])


def skipped_note(needs) -> Diagnostic:
    """The one note of a run whose optional NLP rules were skipped (no pipeline given)."""
    rules = needs.rules
    shown = ", ".join(rules[:5]) + (f" and {len(rules) - 5} more" if len(rules) > 5 else "")
    return diagnostic(Errors.NLP_SKIPPED, needs.loc, n=len(rules), s="s" if len(rules) != 1 else "",
                      rules=shown or "none")


def filter_spans(spans):
    """Non-overlapping spans: the longest first, then the earliest (spaCy's `util.filter_spans` policy)."""
    kept, taken = [], []
    for s, e in sorted(set(spans), key=lambda se: (-(se[1] - se[0]), se[0])):
        if all(e <= a or b <= s for a, b in taken):
            kept.append((s, e))
            taken.append((s, e))
    return sorted(kept)


def entity_facts(text: str, annotations, labels, doc_id: str | None) -> dict[str, dict[tuple[int, int], Fact]]:
    """{label: {span: Fact}} for the entities whose label is in `labels` (overlaps resolved: filter_spans)."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for ent in annotations.entities:
        if ent.label in labels and 0 <= ent.start < ent.end <= len(text):
            spans.setdefault(ent.label, []).append((ent.start, ent.end))
    out = {}
    for label, found in spans.items():
        table = out[label] = {}
        for s, e in filter_spans(found):
            value = " ".join(text[s:e].split())
            table[(s, e)] = Fact(label, ENTITY_RULE, s, e, text[s:e], {"text": value, "label": label},
                                 {"text": (s, e), "label": None}, 0, doc_id)
    return out
