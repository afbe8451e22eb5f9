"""Token constraints `[pos=PROPN]`, `[tag=/^NN/]`, `[lemma!="mr"]`, `[a=v & b=w]`: one token of the NLP
pipeline each, read through marks inserted before the tokens that pass (engine/nlp.py), so that the rule's
literals, classes and lexicons still read those tokens' characters. Exact facts, exact messages, and the
compiled engine against the reference interpreter on random annotations."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

import ierun
from ierun.annotations import Annotations, Entity, Token
from ierun.engine import nlp
from ierun.engine.compile import FACT_PAD, compile_pattern, fact_marker
from ierun.errors import RuleError
from ierun.language import nodes as A
from ierun.language.nlp import constraints
from ierun.language.parser import parse_pattern
from ierun.language.printer import pattern_ie
from ierun.language.tokens import tokenize
from ierun.testing import reference
from strategies import LEXICONS, VOCAB, texts
from test_differential import RULESET

TEXT = "Yesterday President Joe  Biden met chief executive Tim Cook of Apple, Mr Smith said."
POS = {"President": "PROPN", "Joe": "PROPN", "Biden": "PROPN", "Tim": "PROPN", "Cook": "PROPN",
       "Apple": "PROPN", "Mr": "PROPN", "Smith": "PROPN", "said": "VERB", "met": "VERB"}
LEMMA = {"said": "say", "met": "meet", "Mr": "mr"}


def annotate(text: str, entities=()) -> Annotations:
    toks = []
    for s, e in tokenize(text):
        w = text[s:e]
        toks.append(Token(s, e, POS.get(w, "NOUN" if w.isalpha() else "PUNCT"), "NNP" if w in POS else "NN",
                          LEMMA.get(w, w.lower())))
    return Annotations(tuple(entities), tuple(toks))


def run(rules: str, text: str = TEXT, annotations=None, **kw):
    rs = ierun.loads("uses nlp tokens\n" + rules, path="r.ie")
    got = rs.extractor.run(text, annotations=annotate(text) if annotations is None else annotations, **kw)
    return [(f.text, f.fields) for f in got.facts]


NAME = """fact Name { name: str }
lexicon role { "President" "chief executive" }
"""


def test_role_then_proper_nouns_reads_a_role_that_is_a_proper_noun_too():
    assert run(NAME + 'rule n.x -> Name { match @role n:[pos=PROPN]+  name = n }') == [
        ("President Joe  Biden", {"name": "Joe Biden"}), ("chief executive Tim Cook", {"name": "Tim Cook"})]


def test_conjunction_and_negation():
    assert run(NAME + 'rule n.x -> Name { match n:[pos=PROPN & lemma!="mr"]+ "said"  name = n }') == [
        ("Smith said", {"name": "Smith"})]


def test_regex_value_and_lemma():
    assert run(NAME + 'rule n.x -> Name { match n:[tag=/^NNP$/] [lemma="say"]  name = n }') == [
        ("Smith said", {"name": "Smith"})]
    assert run(NAME + 'rule n.x -> Name { match n:[lemma=/^SA/i]  name = n }') == [("said", {"name": "said"})]


def test_a_literal_still_reads_a_token_that_passes_a_constraint():
    rules = NAME + 'rule n.x -> Name { match n:("Joe" | [pos=VERB])  name = n }'
    assert run(rules) == [("Joe", {"name": "Joe"}), ("met", {"name": "met"}), ("said", {"name": "said"})]


def test_offsets_are_the_documents_with_a_sentence_scope():
    rules = NAME + 'rule n.x -> Name { match n:([pos=PROPN] [pos=PROPN])  scope sentence  name = n }'
    found = ierun.loads("uses nlp tokens\n" + rules).extractor.run(TEXT, annotations=annotate(TEXT)).facts
    assert [(f.start, f.end, f.text) for f in found] == [(10, 23, "President Joe"), (51, 59, "Tim Cook"),
                                                         (70, 78, "Mr Smith")]


def test_a_pipeline_token_that_splits_a_word_is_not_tested():
    text = "They don't go."
    ann = Annotations((), (Token(0, 4, "PRON"), Token(5, 7, "AUX", lemma="do"), Token(7, 10, "PART"),
                           Token(11, 13, "VERB"), Token(13, 14, "PUNCT")))
    assert run(NAME + 'rule n.x -> Name { match n:[pos=AUX]  name = n }', text, ann) == []
    assert run(NAME + 'rule n.x -> Name { match n:[pos=VERB]  name = n }', text, ann) == [("go", {"name": "go"})]


def test_a_token_inside_a_consumed_entity_is_not_tested():
    rules = ("uses nlp entities PERSON\n" + NAME +
             'rule n.x -> Name { match n:(<PERSON> | [pos=PROPN])  name = n }')
    ann = annotate(TEXT, [Entity(20, 30, "PERSON")])
    assert [t for t, _ in run(rules, annotations=ann)] == ["President", "Joe  Biden", "Tim", "Cook", "Apple", "Mr",
                                                          "Smith"]


def test_the_documents_own_mark_characters_are_not_marks():
    text = "\U000F0001\U000F1003Joe said"
    assert run(NAME + 'rule n.x -> Name { match n:[pos=PROPN]  name = n }', text) == [("Joe", {"name": "Joe"})]


def test_without_tokens_nothing_passes():
    assert run(NAME + 'rule n.x -> Name { match n:[pos=PROPN]  name = n }', annotations=Annotations()) == []


def test_printed_constraints_parse_back():
    for source in ('[pos=PROPN]', '[lemma!="mr"]', '[tag=/^N\\/N/i & pos=X]', '[lemma="a\\"b"]', '[lemma=fact]'):
        p = parse_pattern(source)
        assert parse_pattern(pattern_ie(p)) == p


def _errors(source):
    with pytest.raises(RuleError) as info:
        ierun.loads(source, path="r.ie")
    return [d.render() for d in info.value.diagnostics]


def test_unknown_attribute_has_a_hint():
    assert _errors("uses nlp tokens\nfact N { }\nrule n.x -> N { match [lema=\"say\"] }\n") == [
        "r.ie:3:24: error[E131]: unknown token attribute 'lema'\n"
        "    rule n.x -> N { match [lema=\"say\"] }\n"
        "                           ^^^^\n"
        "  hint: did you mean 'lemma'?"]


def test_unknown_pos_value_has_a_hint():
    assert _errors("uses nlp tokens\nfact N { }\nrule n.x -> N { match [pos=PROPNN] [pos=propn] }\n") == [
        "r.ie:3:28: error[E131]: unknown part of speech 'PROPNN' (pos takes a Universal Dependencies tag)\n"
        "    rule n.x -> N { match [pos=PROPNN] [pos=propn] }\n"
        "                               ^^^^^^\n"
        "  hint: did you mean 'PROPN'?",
        "r.ie:3:41: error[E131]: unknown part of speech 'propn' (pos takes a Universal Dependencies tag)\n"
        "    rule n.x -> N { match [pos=PROPNN] [pos=propn] }\n"
        "                                            ^^^^^\n"
        "  hint: did you mean 'PROPN'?"]


def test_tokens_need_a_declaration_in_the_rules_file():
    assert _errors("fact N { }\nrule n.x -> N { match [pos=PROPN] }\n") == [
        "r.ie:2:6: error[E132]: rule 'n.x' tests NLP tokens, but its file has no 'uses nlp' declaration\n"
        "    rule n.x -> N { match [pos=PROPN] }\n"
        "         ^^^\n"
        "  hint: add: uses nlp tokens (or 'uses nlp tokens optional')"]


def test_a_rule_testing_tokens_cannot_use_a_regex():
    assert _errors("uses nlp tokens\nfact N { }\nrule n.x -> N { match [pos=PROPN] /[0-9]+/ }\n") == [
        "r.ie:3:35: error[E132]: rule 'n.x' tests NLP tokens and uses a regex: a regex would read the marks of the "
        "pipeline's tokens\n"
        "    rule n.x -> N { match [pos=PROPN] /[0-9]+/ }\n"
        "                                      ^^^^^^^^\n"
        "  hint: write it with literals, token classes or lexicons, or match it in a rule of its own whose facts "
        "this rule consumes"]


def test_at_most_eight_constraints_in_a_rule():
    tests = " ".join(f'[lemma="w{i}"]' for i in range(9))
    errs = _errors(f"uses nlp tokens\nfact N {{ }}\nrule n.x -> N {{ match {tests} }}\n")
    assert [e.splitlines()[0] for e in errs] == [
        "r.ie:3:6: error[E132]: rule 'n.x' tests 9 different token constraints, more than 8"]


def test_needs_say_tokens_and_optional_skips_token_rules():
    rs = ierun.loads("uses nlp tokens optional\n" + NAME + 'rule n.x -> Name { match n:[pos=PROPN]  name = n }')
    needs = rs.plan.nlp_needs
    assert (needs.entities, needs.tokens, needs.optional, needs.rules) == (frozenset(), True, True, ("n.x",))
    out = rs.extractor.run(TEXT)
    assert (out.facts, [n.code for n in out.notes]) == ([], ["W401"])


def test_tokens_from_a_blank_spacy_pipeline_with_an_attribute_ruler():
    spacy = pytest.importorskip("spacy", reason="spacy is in the test extra: pip install -e '.[test]'")
    pipe = spacy.blank("en")
    ruler = pipe.add_pipe("attribute_ruler")
    ruler.add([[{"IS_TITLE": True}]], {"POS": "PROPN"})
    ruler.add([[{"LOWER": "said"}]], {"POS": "VERB", "LEMMA": "say"})
    ruler.add([[{"LOWER": "yesterday"}]], {"LEMMA": "yesterday"})  # (a blank pipeline has no lemmatizer)
    text = "Yesterday Joe Biden said it, and Mr Smith said so."
    rules = NAME + 'rule n.x -> Name { match n:[pos=PROPN & lemma!="yesterday"]+ [lemma="say"]  name = n }'
    assert run(rules, text, Annotations.from_spacy(pipe(text))) == [
        ("Joe Biden said", {"name": "Joe Biden"}), ("Mr Smith said", {"name": "Mr Smith"})]


# ---- the compiled engine against the reference interpreter, on random annotations ----------------------------
CONSTRAINTS = [parse_pattern(s) for s in ('[pos=PROPN]', '[pos!=NOUN]', '[tag=/^NN/]', '[lemma="ab"]',
                                          '[pos=PROPN & tag!="NNP"]')]
_literals = st.builds(lambda toks, ci: A.Lit(" ".join(toks), ci), st.lists(st.sampled_from(VOCAB), min_size=1,
                                                                          max_size=2), st.booleans())
_atoms = st.one_of(_literals, st.sampled_from(A.TOKEN_CLASSES).map(A.TokenClass),
                   st.sampled_from([A.LexRef("lx"), A.LexRef("ly")]), st.sampled_from(CONSTRAINTS),
                   st.sampled_from(CONSTRAINTS))


@st.composite
def nlp_patterns(draw, depth=3, captures=True):
    """Consuming patterns over literals, classes, lexicons and token constraints (no regexes: refused there)."""
    if depth <= 0:
        return draw(_atoms)
    sub = nlp_patterns(depth=depth - 1, captures=captures)
    kind = draw(st.sampled_from(["atom", "seq", "seq", "alt", "repeat", "capture", "look"]))
    if kind == "atom":
        return draw(_atoms)
    if kind == "seq":
        items = draw(st.lists(sub, min_size=2, max_size=3))
        return A.Seq(tuple(items), tuple([False] + [draw(st.booleans()) for _ in items[1:]]))
    if kind == "alt":
        return A.Alt(tuple(draw(st.lists(sub, min_size=2, max_size=3))))
    if kind == "repeat":
        lo = draw(st.integers(1, 2))
        return A.Repeat(draw(sub), lo, draw(st.one_of(st.none(), st.integers(lo, 3))))
    if kind == "capture" and captures:
        return A.Capture(f"c{draw(st.integers(0, 3))}", draw(sub))
    look = A.Look(draw(nlp_patterns(depth=1, captures=False)), behind=draw(st.booleans()), negate=draw(st.booleans()))
    item = draw(sub)
    return A.Seq((look, item) if draw(st.booleans()) else (item, look), (False, draw(st.booleans())))


@st.composite
def annotated_texts(draw):
    """A text and pipeline tokens for it: its own tokens, some joined with the next, plus a few arbitrary spans
    (which constraints must not test where they split a word), with random attributes."""
    text = draw(texts())
    spans, i = [], 0
    toks = tokenize(text)
    while i < len(toks):
        s, e = toks[i]
        if i + 1 < len(toks) and draw(st.booleans()) and draw(st.booleans()):
            e = toks[i + 1][1]
            i += 1
        spans.append((s, e))
        i += 1
    extra = draw(st.lists(st.tuples(st.integers(0, len(text)), st.integers(0, 3)), max_size=2))
    spans += [(s, min(len(text), s + n)) for s, n in extra]
    attrs = st.tuples(st.sampled_from(["PROPN", "NOUN", "X"]), st.sampled_from(["NN", "NNP", "VB"]),
                      st.sampled_from(["ab", "x", ""]))
    tokens = tuple(Token(s, e, *draw(attrs)) for s, e in spans if draw(st.integers(0, 5)))
    return text, tokens


def engine_matches(pattern, text, tokens, facts=None):
    """The compiled pattern on the marked text, offsets mapped back (as the matcher runs a rule)."""
    rx = compile_pattern(RULESET, pattern)
    cons = constraints(pattern)
    spans = [(s, e) for ends in (facts or {}).values() for s, e in ends.items()]
    marked = nlp.Marked(text, nlp.testable(text, tokens), cons, spans)
    from ierun.engine.match import _trim, capture_names
    out = []
    for m in rx.finditer(marked.text):
        m = nlp.MappedMatch(m, marked.orig)
        caps = {}
        for n, _ in capture_names(pattern):
            s, e = m.span(n)
            if s >= 0 and _trim(text, s, e)[0] < e:
                caps[n] = _trim(text, s, e)
        out.append((*_trim(text, *m.span()), caps))
    return out


def reference_matches(pattern, text, tokens, facts=None):
    return [(s, e, {k: v for k, v in c.items() if v[0] < v[1]})
            for s, e, c in reference.finditer(pattern, text, lexicons=LEXICONS, facts=facts, tokens=tokens)]


@given(nlp_patterns(), annotated_texts())
def test_compiled_equals_reference_with_tokens(pattern, annotated):
    text, tokens = annotated
    assert engine_matches(pattern, text, tokens) == reference_matches(pattern, text, tokens)


@given(nlp_patterns(depth=2), annotated_texts(), st.data())
def test_extractor_equals_reference_with_entities_and_tokens(pattern, annotated, data):
    """A whole rule set run by the Extractor: entity facts (here on ierun's token boundaries) consumed beside
    token constraints; the reference reads the text with the entities masked as the engine masks them."""
    text, tokens = annotated
    pattern = A.Seq((pattern, A.Alt((A.FactRef("PERSON"), CONSTRAINTS[0]))), (False, data.draw(st.booleans())))
    toks = tokenize(text)
    picks = data.draw(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 2)), max_size=3)) if toks else []
    ents = tuple(Entity(toks[i % len(toks)][0], toks[min(len(toks) - 1, i % len(toks) + n)][1], "PERSON")
                 for i, n in picks)
    source = (f"uses nlp entities PERSON tokens\nlexicon lx {{ \"ab\" \"ab cd\" \"US$\" \"1.5\" \"x - x\" }}\n"
              f"lexicon ly {{ \"ab\" \"b\" \"cd\" \"x\" \"ks\" \"u\" \"é\" \"12\" \"K\" }}\n"
              f"fact F {{ }}\nrule f.x -> F {{ match {pattern_ie(pattern)} }}\n")
    try:
        rs = ierun.loads(source)
    except RuleError:
        return  # e.g. a pattern that can match empty text once printed (refused as rules are)
    got = [(f.start, f.end) for f in rs.extractor.run(text, annotations=Annotations(ents, tokens)).facts]
    table = nlp.entity_facts(text, Annotations(ents, tokens), {"PERSON"}, None).get("PERSON", {})
    masked = text
    for s, e in table:
        masked = masked[:s] + fact_marker(rs.plan.fact_index["PERSON"]) + FACT_PAD * (e - s - 1) + masked[e:]
    facts = {"PERSON": {s: e for s, e in table}}
    want = sorted({(s, e) for s, e, _ in reference.finditer(rs.ir.rules[0].pattern, masked, lexicons=rs.ir.lexicons,
                                                                facts=facts, tokens=tokens)})
    assert got == want


# ---- the gate: rules that consume entity facts are gated like any consumer; the same facts without it ---------
from ierun.engine import gate  # noqa: E402
from strategies import patterns  # noqa: E402

ENTITY_RULES = """uses nlp entities PERSON, ORG
lexicon lx { "ab" "ab cd" "US$" "1.5" "x - x" }
lexicon ly { "ab" "b" "cd" "x" "ks" "u" "é" "12" "K" }
fact F { }
rule f.x -> F { match %s }
"""


@pytest.mark.skipif(gate.hyperscan is None, reason="Hyperscan is not installed")
@given(patterns(depth=2), annotated_texts(), st.data())
def test_gated_entity_rules_equal_the_full_scan(pattern, annotated, data):
    text, tokens = annotated
    ref = A.Alt((A.FactRef("PERSON"), A.FactRef("ORG")))
    pattern = A.Seq((pattern, ref) if data.draw(st.booleans()) else (ref, pattern), (False, data.draw(st.booleans())))
    spans = data.draw(st.lists(st.tuples(st.integers(0, len(text)), st.integers(1, 6),
                                         st.sampled_from(["PERSON", "ORG", "GPE"])), max_size=4))
    ann = Annotations(tuple(Entity(s, min(len(text), s + n), label) for s, n, label in spans if s < len(text)), tokens)
    try:
        gated = ierun.loads(ENTITY_RULES % pattern_ie(pattern))
    except RuleError:
        return
    import os
    os.environ["IERUN_NO_HYPERSCAN"] = "1"
    try:
        plain = ierun.loads(ENTITY_RULES % pattern_ie(pattern))
    finally:
        del os.environ["IERUN_NO_HYPERSCAN"]
    assert plain.plan.gates == []
    facts = [(f.start, f.end) for f in gated.extractor.run(text, annotations=ann).facts]
    assert facts == [(f.start, f.end) for f in plain.extractor.run(text, annotations=ann).facts]


def test_an_entity_rule_is_gated():
    if gate.hyperscan is None:
        pytest.skip("Hyperscan is not installed")
    rs = ierun.loads(ENTITY_RULES % '"ab" <PERSON>')
    assert rs.plan.rules[0].gate is not None
    ann = Annotations((Entity(3, 5, "PERSON"), Entity(11, 13, "PERSON")))
    assert [f.text for f in rs.extractor.run("ab Jo ab x Al", annotations=ann).facts] == ["ab Jo"]
