"""The spaCy component: `nlp.add_pipe("ierun", config={"rules": ...})` on spacy.blank("en") (no model is
downloaded), facts in doc.spans with span._.ierun, token alignment, nlp.pipe with two processes, displaCy."""
from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

spacy = pytest.importorskip("spacy", reason="spacy is in the test extra: pip install -e '.[test]'")

import ierun  # noqa: E402
from ierun.errors import IerunError  # noqa: E402
from ierun.spacy_component import IerunComponent  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "seed" / "menafn-kz-uk.txt"
RULES = ROOT / "rules"
INSIDE = """fact Part { t: str }
rule t.part -> Part {
    match t:r/lph/
    t = t
}
"""


@pytest.fixture(scope="module")
def seed_nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("ierun", config={"rules": str(RULES)})
    return nlp


def _expected(text):
    out = []
    for f in ierun.load(str(RULES)).extract(text):
        d = f.to_dict()
        del d["doc"]
        out.append(d)
    return out


def test_the_seed_facts_land_in_doc_spans(seed_nlp):
    text = SEED.read_text(encoding="utf-8")
    doc = seed_nlp(text)
    expected = _expected(text)
    assert len(expected) >= 9
    spans = list(doc.spans["ierun"])
    assert [(s.label_, s.start_char, s.end_char) for s in spans] == [(f["type"], f["start"], f["end"]) for f in expected]
    assert [s._.ierun for s in spans] == [dict(f, span=[f["start"], f["end"]]) for f in expected]
    assert doc._.ierun_facts == [s._.ierun for s in spans]
    title = spans[1]._.ierun
    assert (title["fields"]["person"], doc.text[slice(*title["field_spans"]["person"])]) == ("Roman Vasilenko",
                                                                                            "Roman Vasilenko")
    assert doc[0:2]._.ierun is None  # a span of someone else's


def test_the_factory_is_registered_through_the_entry_point(tmp_path):
    assert [ep.value for ep in entry_points(group="spacy_factories") if ep.name == "ierun"] == \
        ["ierun.spacy_component:make_ierun"]
    code = ("import sys, spacy\n"
            "print('ierun' in sys.modules)\n"
            "nlp = spacy.blank('en')\n"  # spaCy imports the factories of the entry points here
            "print('ierun.spacy_component' in sys.modules)\n"
            "nlp.add_pipe('ierun', config={'rules': sys.argv[1]})\n"
            "doc = nlp('It cost $5 million.')\n"
            "print([(s.label_, s.text, s._.ierun['fields']) for s in doc.spans['ierun']])\n")
    done = subprocess.run([sys.executable, "-c", code, str(RULES)], capture_output=True, text=True, cwd=tmp_path,
                          timeout=300, env=dict(os.environ))
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout == "False\nTrue\n[('Money', '$5 million', {'amount': '5000000', 'currency': 'USD'})]\n"


def _part_nlp(tmp_path, **config):
    rules = tmp_path / "part.ie"
    rules.write_text(INSIDE)
    nlp = spacy.blank("en")
    nlp.add_pipe("ierun", config={"rules": str(rules), **config})
    return nlp


def test_expand_grows_a_fact_to_whole_tokens(tmp_path):
    doc = _part_nlp(tmp_path)("an alpha test")
    (span,) = doc.spans["ierun"]
    assert (span.text, span.label_) == ("alpha", "Part")
    assert (span._.ierun["text"], span._.ierun["start"], span._.ierun["end"], span._.ierun["span"]) == ("lph", 4, 7,
                                                                                                        [3, 8])


@pytest.mark.parametrize("mode", ["contract", "strict"])
def test_a_fact_that_cannot_be_aligned_is_only_in_the_doc_facts(tmp_path, mode):
    doc = _part_nlp(tmp_path, alignment_mode=mode)("an alpha test")
    assert list(doc.spans["ierun"]) == []
    assert doc._.ierun_facts == [{"type": "Part", "rule": "t.part", "start": 4, "end": 7, "text": "lph",
                                  "fields": {"t": "lph"}, "field_spans": {"t": [4, 7]}, "span": None}]


def test_a_bad_alignment_mode_and_a_bad_rule_path_are_reported(tmp_path):
    nlp = spacy.blank("en")
    with pytest.raises(ValueError, match=r"^ierun: alignment_mode must be one of expand, contract, strict, not 'x'$"):
        nlp.add_pipe("ierun", config={"rules": str(RULES), "alignment_mode": "x"})
    with pytest.raises(IerunError, match="no-such-rules"):
        nlp.add_pipe("ierun", config={"rules": str(tmp_path / "no-such-rules")})


def test_the_spans_key_is_configurable_and_two_components_coexist(tmp_path):
    nlp = _part_nlp(tmp_path, spans_key="parts")
    nlp.add_pipe("ierun", name="pack", config={"rules": str(RULES)})
    doc = nlp("an alpha test of $5 million")
    assert [(s.label_, s.text) for s in doc.spans["parts"]] == [("Part", "alpha")]
    assert [(s.label_, s.text) for s in doc.spans["ierun"]] == [("Money", "$5 million")]
    assert doc.spans["ierun"][0]._.ierun["fields"] == {"amount": "5000000", "currency": "USD"}
    assert sorted(f["type"] for f in doc._.ierun_facts) == ["Money", "Part"]


def test_the_component_pickles_as_its_configuration(seed_nlp):
    component = seed_nlp.get_pipe("ierun")
    copy = pickle.loads(pickle.dumps(component))
    assert isinstance(copy, IerunComponent) and copy._ruleset is None and len(pickle.dumps(component)) < 1000
    doc = copy(spacy.blank("en")("It cost $5 million."))
    assert [s._.ierun["fields"] for s in doc.spans["ierun"]] == [{"amount": "5000000", "currency": "USD"}]


def test_two_processes_give_the_same_spans_and_facts(seed_nlp):
    texts = [SEED.read_text(encoding="utf-8"), "It cost $5 million.", "Nothing here.", "Pay £3bn now."] * 2
    one = [(d.text, [(s.label_, s.start, s.end, s._.ierun) for s in d.spans["ierun"]]) for d in seed_nlp.pipe(texts)]
    two = [(d.text, [(s.label_, s.start, s.end, s._.ierun) for s in d.spans["ierun"]])
           for d in seed_nlp.pipe(texts, n_process=2, batch_size=2)]
    assert two == one
    assert [len(s) for _, s in one] == [len(_expected(t)) for t in texts]


def test_facts_survive_doc_serialization(seed_nlp):
    doc = seed_nlp("It cost $5 million.")
    back = spacy.tokens.Doc(seed_nlp.vocab).from_bytes(doc.to_bytes())
    assert [s._.ierun for s in back.spans["ierun"]] == [s._.ierun for s in doc.spans["ierun"]] != []
    json.dumps(back._.ierun_facts)  # plain data


def test_displacy_shows_the_facts(seed_nlp):
    from spacy import displacy
    doc = seed_nlp(SEED.read_text(encoding="utf-8"))
    page = displacy.render(doc, style="span", options={"spans_key": "ierun"}, page=False)
    import re
    labels = re.findall(r">\s*(Money|Title|Dateline|Headline)\s*<", page)
    assert labels == [f["type"] for f in _expected(doc.text)] == ["Dateline", "Title", "Title"] + ["Money"] * 6
    assert re.search(r">\s*1\.8\s*<", page) and re.search(r">\s*billion\s*<", page)  # the tokens of "$1.8 billion", each in its span


def test_without_rules_the_component_uses_the_pack_that_ships_with_ierun(seed_nlp):
    nlp = spacy.blank("en")
    nlp.add_pipe("ierun")
    text = SEED.read_text(encoding="utf-8")
    default, given = nlp(text), seed_nlp(text)
    assert [s._.ierun for s in default.spans["ierun"]] == [s._.ierun for s in given.spans["ierun"]] != []
