"""ierun as a spaCy pipeline component (`pip install 'ierun[spacy]'`), registered through spaCy's
`spacy_factories` entry point:

    nlp = spacy.blank("en")
    nlp.add_pipe("ierun", config={"rules": "rules/"})     # no "rules": the default pack that ships with ierun
    doc = nlp(text)
    for span in doc.spans["ierun"]:
        span.label_, span.text, span._.ierun["fields"], span._.ierun["rule"], span._.ierun["field_spans"]

Config: `rules` (rule files or directories: one path, or several separated by os.pathsep; none: the default
pack), `spans_key` ("ierun"), `alignment_mode` ("expand", "contract" or "strict", as `Doc.char_span`),
`published` (YYYY-MM-DD, the publication date of documents that state none), `timeout` (seconds a rule
may spend on one document).

Rules that use NLP annotations (`uses nlp entities PERSON, ORG`, token constraints) read the Doc's own:
the entities and tokens that the components before ierun set, so a pipeline with an NER (or an
EntityRuler) before the ierun component just works:

    nlp = spacy.load("en_core_web_sm")
    nlp.add_pipe("ierun", config={"rules": "rules/"}, last=True)

Facts land in `doc.spans[spans_key]`, labelled with their type, as spans aligned to the tokens: "expand"
(the default) grows a fact whose edges fall inside a token to the whole tokens, so no fact is lost;
"contract" shrinks it to the whole tokens inside it and "strict" keeps only facts on token boundaries, and
there a fact that cannot be aligned is not in `doc.spans` (it is still in `doc._.ierun_facts`, with
`"span": None`). `span._.ierun` is the fact as the JSON Lines contract has it (type, rule, start, end, text,
fields, field_spans: character offsets in the document, as written by the rules) plus "span", the aligned
character span; `doc._.ierun_facts` lists every fact of the document. All of it is plain data (dicts,
lists, strings), so it survives `Doc.to_bytes` and `nlp.pipe(texts, n_process=2)`. The component pickles as
its configuration: a worker process loads the compiled plan from ierun's plan cache.
"""
from __future__ import annotations

import datetime as dt
import os
from typing import Optional

from spacy.language import Language
from spacy.tokens import Doc, Span

from .nlp import from_doc

__all__ = ["IerunComponent", "make_ierun"]

ALIGNMENT_MODES = ("expand", "contract", "strict")
_DATA = "ierun"  # doc.user_data[(_DATA, spans_key)]: the document's facts


def _span_fact(span: Span):
    """`span._.ierun`: the fact a span of the component stands for (None for other spans)."""
    key, _, number = (span.id_ or "").removeprefix(_DATA + ":").rpartition(":")
    if not span.id_.startswith(_DATA + ":") or not number.isdigit():
        return None
    facts = span.doc.user_data.get((_DATA, key))
    return facts[int(number)] if facts is not None and int(number) < len(facts) else None


def _doc_facts(doc: Doc) -> list:
    """`doc._.ierun_facts`: the facts of every ierun component that ran on the document, aligned or not."""
    return [f for k, v in doc.user_data.items() if isinstance(k, tuple) and len(k) == 2 and k[0] == _DATA
            for f in v]


if not Span.has_extension("ierun"):
    Span.set_extension("ierun", getter=_span_fact)
if not Doc.has_extension("ierun_facts"):
    Doc.set_extension("ierun_facts", getter=_doc_facts)


class IerunComponent:
    """Extracts facts with an ierun rule set into `doc.spans[spans_key]`."""

    def __init__(self, rules: Optional[str] = None, spans_key: str = "ierun", alignment_mode: str = "expand",
                 published: Optional[str] = None, timeout: Optional[float] = None, name: str = "ierun"):
        if alignment_mode not in ALIGNMENT_MODES:
            raise ValueError(f"ierun: alignment_mode must be one of {', '.join(ALIGNMENT_MODES)}, "
                             f"not {alignment_mode!r}")
        self.published = dt.date.fromisoformat(published) if published else None
        self.name, self.rules, self.spans_key = name, rules, spans_key
        self.alignment_mode, self.timeout = alignment_mode, timeout
        self._ruleset = None
        self.ruleset  # load now: a bad rule file is reported when the pipe is added, not at the first document

    @property
    def ruleset(self):
        if self._ruleset is None:
            import ierun
            paths = self.rules.split(os.pathsep) if self.rules else ()
            self._ruleset = ierun.load(*paths, timeout=self.timeout)
        return self._ruleset

    def __getstate__(self):  # the configuration only: a worker loads the plan (from the plan cache)
        return {k: v for k, v in self.__dict__.items() if k != "_ruleset"} | {"_ruleset": None}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __call__(self, doc: Doc) -> Doc:
        # rules that use NLP annotations read this Doc's own: the entities and tokens of the components before
        needs = self.ruleset.plan.nlp_needs
        annotations = None if needs is None else from_doc(doc, needs.tokens)
        facts = self.ruleset.extract(doc.text, self.published, annotations=annotations)
        data, spans = [], []
        for i, fact in enumerate(facts):
            d = fact.to_dict()
            del d["doc"]
            span = doc.char_span(fact.start, fact.end, label=fact.type, alignment_mode=self.alignment_mode,
                                 span_id=f"{_DATA}:{self.spans_key}:{i}")
            if span is not None and len(span) == 0:
                span = None
            d["span"] = [span.start_char, span.end_char] if span is not None else None
            data.append(d)
            if span is not None:
                spans.append(span)
        doc.user_data[(_DATA, self.spans_key)] = data
        doc.spans[self.spans_key] = spans
        return doc


@Language.factory("ierun", default_config={"rules": None, "spans_key": "ierun", "alignment_mode": "expand",
                                           "published": None, "timeout": None})
def make_ierun(nlp: Language, name: str, rules: Optional[str], spans_key: str, alignment_mode: str,
               published: Optional[str], timeout: Optional[float]) -> IerunComponent:
    return IerunComponent(rules, spans_key, alignment_mode, published, timeout, name)
