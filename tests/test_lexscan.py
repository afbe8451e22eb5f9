"""Scanned lexicons (engine/lexscan.py): a rule whose big lexicon is found by one pass over the document's
tokens and written into its regex as the strings found matches exactly what the lexicon's own regex (the
trie with named lists) matches, and what the reference interpreter matches."""
import pickle

import pytest
import regex
from hypothesis import example, given, settings, strategies as st

from ierun.engine import lexscan
from ierun.engine.compile import (Emitter, compile_pattern, compile_ruleset, pattern_regex,
                                  rule_regex)
from ierun.engine.match import Extractor, _trim, capture_names
from ierun.engine.regex_code import compile_regex
from ierun.language import ir
from ierun.language import nodes as A
import ierun
from ierun import pipeline
from ierun.pipeline import check_and_lower, parse_source
from strategies import LEXICONS, VOCAB, patterns, texts
from test_differential import UNICODE_TEXT, _normalize, reference_matches

# ---- random lexicons: phrases of one to three tokens, glued or spaced, sharing prefixes, any case --------
TOKENS = VOCAB + ["AB", "Ab", "ks", "KS", "\u212a", "\u017f", "\u0130", "straße", "O'Neil", "US$", "S"]
phrases = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=3).flatmap(
    lambda toks: st.lists(st.sampled_from(["", " ", "  "]), min_size=len(toks) - 1, max_size=len(toks) - 1).map(
        lambda seps: toks[0] + "".join(s + t for s, t in zip(seps, toks[1:]))))


@st.composite
def lexicons(draw, name):
    return ir.Lexicon(name, None, draw(st.booleans()), tuple(draw(st.lists(phrases, min_size=1, max_size=12))), {})


def _matches(rx, pattern, text, overlapped=False):
    names = [n for n, _ in capture_names(pattern)]
    out = []
    for m in rx.finditer(text, overlapped=overlapped):
        caps = {n: _trim(text, *m.span(n)) for n in names if m.span(n)[0] >= 0}
        out.append((*_trim(text, *m.span()), caps))
    return out


def scanned_regex(ruleset, pattern, text):
    """The pattern's regex as a run makes it for `text` with every lexicon scanned."""
    lists: dict = {}
    template = lexscan.split_template(
        rule_regex(Emitter(ruleset, {}, lists=lists, scanned=frozenset(ruleset.lexicons)), pattern),
        frozenset(ruleset.lexicons))
    if template is None:  # no lexicon in the pattern
        return compile_pattern(ruleset, pattern)
    tokens = lexscan.Tokens(text)
    found = {name: lexscan.occurrences(lexscan.LexiconIndex(ruleset.lexicons[name]), tokens)
             for name in template[1::2]}
    return compile_regex(lexscan.fill(template, found), lists)


@settings(max_examples=300)
@given(patterns(), st.one_of(texts(), UNICODE_TEXT), lexicons("lx"), lexicons("ly"), st.booleans())
@example(A.LexRef("lx"), "ab cd ab", LEXICONS["lx"], LEXICONS["ly"], False)
@example(A.LexRef("lx"), "US $ US$", ir.Lexicon("lx", None, True, ("US$",), {}), LEXICONS["ly"], False)
@example(A.LexRef("lx"), "ab abCd xab", ir.Lexicon("lx", None, False, ("ab",), {}), LEXICONS["ly"], True)
@example(A.LexRef("lx"), "a1 11 1", ir.Lexicon("lx", None, False, ("1",), {}), LEXICONS["ly"], False)  # found by this test
def test_scanned_lexicon_equals_its_regex(pattern, text, lx, ly, overlapped):
    ruleset = ir.RuleModel({}, {"lx": lx, "ly": ly}, (), ())
    want = _matches(compile_pattern(ruleset, pattern), pattern, text, overlapped)
    assert _matches(scanned_regex(ruleset, pattern, text), pattern, text, overlapped) == want


@given(patterns(), st.one_of(texts(), UNICODE_TEXT))
def test_scanned_lexicon_equals_reference(pattern, text):
    ruleset = ir.RuleModel({}, LEXICONS, (), ())
    got = _matches(scanned_regex(ruleset, pattern, text), pattern, text)
    assert _normalize(got) == _normalize(reference_matches(pattern, text))


@pytest.mark.parametrize("phrases, case_sensitive, text, want", [
    (("Seane Peabajai", "Seane"), False, "SEANE\n  peabajai, Seane", {"SEANE\n  peabajai", "SEANE", "Seane"}),
    (("U.S.", "U . S"), True, "the U.S. and U. S", {"U.S", "U.S.", "U. S"}),
    (("ks",), False, "\u212a\u017f KS kS k s", {"\u212a\u017f", "KS", "kS"}),  # KELVIN SIGN, LONG S fold to k, s
    (("1,500", "dlrs"), False, "11,500 1,500.5 1,500 DLRS", {"1,500", "DLRS"}),  # whole tokens only
    (("ab",), True, "Ab abc ab", {"ab"}),
    (("US$", "$ 5"), True, "US $ US$ $5", {"US$", "$5"}),  # glued tokens only glued, spaced ones either way
    # the phrase is written case-folded, as the compiler writes it (the reference interpreter compares it as
    # written, and finds "Straße" instead: a difference of theirs, kept as it is)
    (("straße",), False, "STRASSE Straße", {"STRASSE"}),
])
def test_occurrences_are_the_strings_the_lexicon_matches(phrases, case_sensitive, text, want):
    lex = ir.Lexicon("x", None, case_sensitive, phrases, {})
    assert lexscan.occurrences(lexscan.LexiconIndex(lex), lexscan.Tokens(text)) == want
    plain = pattern_regex(ir.RuleModel({}, {"x": lex}, (), ()), A.LexRef("x"))
    assert {text[p:e] for p in range(len(text)) for e in range(p + 1, len(text) + 1)  # every end at every start
            if regex.compile(f"(?:{plain})(?=(?s:.){{{len(text) - e}}}\\Z)").match(text, p)} == want


def test_only_i_k_s_have_case_twins_outside_ascii():
    """The case-insensitive key maps `i`, `k`, `s` to `?` because they alone among ASCII letters match a
    non-ASCII character ignoring case (İ, KELVIN SIGN, LONG S); if `regex` ever folds another one, this fails."""
    any_letter = regex.compile(r"(?i)[a-z]", regex.V0)
    hits = [chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c < 0xE000 and any_letter.fullmatch(chr(c))]
    folded = {a for c in hits for a in "abcdefghijklmnopqrstuvwxyz" if regex.fullmatch(f"(?i){a}", c, regex.V0)}
    assert folded == set(lexscan.FOLDS_OUTSIDE_ASCII)


# ---- through the engine: a plan with scanned lexicons gives the same facts as one without ----------------
RULES = '''
lexicon name { "Ann" | "Ann Lee" | "Lee" | "Jo-Ann" | "O'Neil" | "van der Berg" | "ks" }
lexicon exact case { "Dr" | "Dr." | "Prof" }
fact Money { amount: str }
fact Person { name: str }
rule money.amount -> Money {
    match a:(r/\\$/ ~ NUMBER)
    amount = a
}
rule person.named -> Person {
    match (?<! @name) @exact? n:(@name CAPWORD?) (?! <Money>)
    name = n
}
rule person.before_money -> Person {
    match n:@name "paid" <Money>
    name = n
}
'''


def _plans():
    model = check_and_lower([parse_source(RULES)])
    return compile_ruleset(model, scan_min=10**9), compile_ruleset(model, scan_min=1)


PLAIN, SCANNED = _plans()
NAME_TEXT = st.lists(st.tuples(st.sampled_from(["", " ", "\n", "  "]),
                               st.sampled_from(["Ann", "ANN", "Lee", "lee", "Jo", "-", "O'Neil", "van", "der",
                                                "Berg", "Dr", "Dr.", ".", "Prof", "paid", "$", "5", "Smith",
                                                "\u212a\u017f", "ks", "Ünal"])),
                     max_size=16).map(lambda parts: "".join(s + t for s, t in parts))


def _facts(plan, text):
    return [f.to_dict() for f in Extractor(plan).run(text, include_hidden=True).facts]


def test_the_plan_scans_the_big_lexicons_only():
    assert set(SCANNED.scanned) == {"name", "exact"} and not PLAIN.scanned
    assert all(cr.template is None for cr in PLAIN.rules)
    assert [cr.name for cr in SCANNED.rules if cr.template is not None] == ["person.named", "person.before_money"]


@given(NAME_TEXT)
@example("Dr. Ann Lee paid $5 and ANN paid $ 6, Jo-Ann van der Berg")
def test_scanned_plan_gives_the_same_facts(text):
    assert _facts(SCANNED, text) == _facts(PLAIN, text)


def test_scanned_plan_survives_pickling():
    text = "Dr. Ann Lee paid $5 and O'Neil Smith met van der Berg"
    again = pickle.loads(pickle.dumps(SCANNED))
    assert _facts(again, text) == _facts(PLAIN, text)
    assert [f["text"] for f in _facts(again, text) if f["type"] == "Person"] == [
        "Ann Lee paid $5", "O'Neil Smith", "van der Berg"]  # the longer of two overlapping facts wins


def test_a_scanned_rule_keeps_the_time_limit():
    """The regex made for a document runs under the same limit (E201) as any rule's: a catastrophic regex after
    a scanned lexicon, on lines that each start with one of its names, emits none of its facts there (each line
    ends in a "b" the boundary after the regex refuses, "bc": the gate, which reads the regex, sends the rule
    there, and the regex backtracks)."""
    model = check_and_lower([parse_source(
        'lexicon name { "Ann" | "Lee" }\nfact Boom { x: str }\n'
        'rule boom -> Boom {\n    match @name x:/(?:(?:a|aa)+)+b/\n    scope line\n    x = x\n}\n', path="slow.ie")])
    plan = compile_ruleset(model, scan_min=1)
    assert plan.rules[0].template is not None
    result = Extractor(plan, timeout=0.5).run("Ann aab\n" + ("Lee " + "a" * 18 + "bc\n") * 120, doc_id="slow.txt")
    assert result.facts == []
    assert [(p.code, p.render().splitlines()[0]) for p in result.problems] == [
        ("E201", "slow.ie:3:6: error[E201]: rule 'boom' ran out of time (0.5 s) on document slow.txt; "
                 "its matches in this document are skipped")]
    fast = Extractor(plan, timeout=0.5).run("Ann aab\nLee ab\n")
    assert [f.text for f in fast.facts] == ["Ann aab", "Lee ab"] and not fast.problems


# ---- a rule set with a big lexicon file: cached plans and runs without Hyperscan keep the facts -------------
BIG_RULES = '''lexicon given from "given.txt"
fact Person { name: str }
rule person.given -> Person {
    match n:(@given CAPWORD)
    scope sentence
    name = n
}
'''
BIG_TEXT = "Name0007 Smith met NAME1034 Jones.\nname0042 Lee and Name1199  Okafor said so; Name12 Ng left."


@pytest.fixture
def big_rules(tmp_path, monkeypatch):
    monkeypatch.setenv("IERUN_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "big"
    folder.mkdir()
    # as many names as make a lexicon scanned (Name0000 .. Name9999, then Name10000 ..)
    (folder / "given.txt").write_text("".join(f"Name{i:04d}\n" for i in range(max(lexscan.SCAN_MIN, 1200))),
                                      encoding="utf-8")
    (folder / "person.ie").write_text(BIG_RULES, encoding="utf-8")
    return folder


WANT = ["Name0007 Smith", "NAME1034 Jones", "name0042 Lee", "Name1199  Okafor"]  # (Name12 is not a name)


def test_a_big_lexicon_is_scanned_and_its_plan_cached(big_rules, monkeypatch):
    compiled = []
    real = pipeline.compile_model
    monkeypatch.setattr(pipeline, "compile_model", lambda *a, **kw: compiled.append(1) or real(*a, **kw))
    first = ierun.load(str(big_rules))
    assert [f.text for f in first.extract(BIG_TEXT)] == WANT
    again = ierun.load(str(big_rules))
    assert len(compiled) == 1  # the second load read the plan from the cache
    assert set(again.extractor.plan.scanned) == {"given"} and again.extractor.plan.rules[0].template is not None
    assert [f.to_dict() for f in again.extract(BIG_TEXT)] == [f.to_dict() for f in first.extract(BIG_TEXT)]


def test_a_rule_whose_regex_is_long_besides_the_lexicon_keeps_it_written_in(big_rules):
    """Compiled for each document, a long regex would cost more than the lexicon's tries (lexscan.TEMPLATE_MAX):
    such a rule keeps the big lexicon in its regex, a short one has it scanned; the facts are the same."""
    words = " | ".join(f'"chair{i}"' for i in range(60))
    (big_rules / "role.ie").write_text(f'fact Role {{ text: str }}\nrule role.before_name -> Role {{\n'
                                       f'    match r:({words}) (?= @given)\n    text = r\n}}\n', encoding="utf-8")
    text = BIG_TEXT + " chair7 Name0042 Lee, chair8 Ng and chair59 NAME1100."
    rules = ierun.load(str(big_rules), use_cache=False)
    by_name = {cr.name: cr for cr in rules.extractor.plan.rules}
    assert by_name["role.before_name"].template is None
    assert by_name["person.given"].template is not None
    assert [(f.type, f.text) for f in rules.extract(text) if f.type == "Role"] == [("Role", "chair7"), ("Role", "chair59")]
    model = pipeline.load_model([big_rules])
    assert [f.to_dict() for f in rules.extract(text)] == [
        f.to_dict() for f in Extractor(compile_ruleset(model, scan_min=10**9)).run(text).facts]


def test_a_big_lexicon_without_hyperscan(big_rules, monkeypatch):
    monkeypatch.setenv("IERUN_NO_HYPERSCAN", "1")
    rules = ierun.load(str(big_rules), use_cache=False)
    assert rules.extractor.plan.gates == [] and set(rules.extractor.plan.scanned) == {"given"}
    assert [f.text for f in rules.extract(BIG_TEXT)] == WANT
