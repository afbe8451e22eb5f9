"""The gate and embedded regexes (gate_regex.py), and rules too large for one Hyperscan expression: the gate
reports every place where a rule's match can start (a superset), whatever the regex, the flags and the text."""
import pytest
from hypothesis import example, given, strategies as st

import ierun
from ierun.engine import gate, superset
from ierun.engine.compile import compile_pattern, may_start_raw
from ierun.engine.gate_regex import translate
from ierun.language import ir
from ierun.language import nodes as A

pytestmark = pytest.mark.skipif(gate.hyperscan is None, reason="Hyperscan is not installed")
RULESET = ir.RuleModel({}, {}, (), ())

REGEXES = ["[0-9]{1,3}", "0?[1-9]|[12][0-9]|3[01]", "(?:19|20)[0-9]{2}", r"[^\n]{0,5}[^\s.]", r"\d+(?:[.,]\d+)?",
           "[a-z]+", "[A-Z][a-z]*", "k+s", "(?i)ks", "[^a-z]+", r"\w+", r"\W", r"\S+", r"\bab\b", "a(?=b)",
           "(?<!a)b", ".", r"\p{Lu}\p{Ll}+", "é+", "[é-ü]k", r"\x41", "(?i:st)r", "[[:alpha:]]", r"(a)\1",
           r"\s*(?:$|\n)", "^a", "a{2}|b{,2}c", r"[\]a-]+", "(?P<x>a|)b", "(?#note)ab", r"\.\$", "a*?b", "x++y"]
CHARS = list("aAbBcCkKsSxXyYzZ019 ,.-$\n\t") + ["é", "ü", "\u212a", "\u017f", "\u0130", "\u0663", "\u00a0", "€", "İS"]


def _starts_covered(pattern, text):
    """Every position where the rule's compiled regex matches is one the gate reports."""
    g = gate.build(RULESET, [(0, pattern, may_start_raw(pattern))])
    if g is None or 0 not in g.modes:
        return  # not gated: the full scan runs
    found = g.scan(text).get(0)
    rx = compile_pattern(RULESET, pattern)
    for s in range(len(text) + 1):
        if rx.match(text, s) is not None:
            assert found is True or (found is not None and s in found), (s, text)


@given(st.sampled_from(REGEXES), st.sampled_from(["", "i", "s", "is"]), st.booleans(),
       st.lists(st.sampled_from(CHARS), max_size=16).map("".join))
@example("[é-ü]k", "i", False, "\u00e9\u212a")  # a Kelvin sign is k when case is ignored
@example("ks", "i", False, "\u212a\u017f")
def test_the_gate_reports_every_start_of_a_regex(source, flags, raw, text):
    # the regex alone (a token-bounded one at the start of the match), and after a glued literal (raw or not)
    for pattern in (A.Regex(source, flags, False), A.Seq((A.Lit("x"), A.Regex(source, flags, raw)), (False, True)),
                    A.Seq((A.Lit("x"), A.Regex(source, flags, raw)), (False, False))):
        _starts_covered(pattern, text)


@pytest.mark.parametrize("source, flags, want", [
    ("[0-9]{1,3}", "", r"[\x30-\x39]{1,3}"),
    ("a|ab", "i", r"[\x41\x61](?:[\x42\x62])?"),
    ("k", "i", r"[\x01-\x02\x3f\x4b\x6b]"),      # KELVIN SIGN is `?` to the gate
    ("é", "", r"[\x01-\x02\x3f]"),                 # any character outside ASCII is `?`
    (r"a(?=b)\b$", "", r"[\x61]"),                 # assertions are dropped: more places, never fewer
])
def test_translated_regexes(source, flags, want):
    assert superset._render(translate(source, flags), False) == want


@pytest.mark.parametrize("source, flags", [(r"(a)\1", ""), ("a b", "x"), ("(a)?(?(1)b|c)", ""), ("[[a]--[b]]", ""),
                                           (r"\N{EM DASH}", ""), ("(?x)a b", "")])
def test_regexes_outside_the_subset_are_any_characters(source, flags):
    assert translate(source, flags) is None
    rules = ierun.loads(f'fact F {{ }}\nrule r -> F {{ match "zz" /{source}/{flags} }}\n')
    assert superset.superset_pattern(rules.extractor.plan.ruleset, rules.ir.rules[0].pattern).startswith(r"[\x00-\xff]*")


def test_a_regex_at_the_start_of_a_rule_gates_it_there(pack):
    """money.grouped_symbol starts with a regex of digits: tried only before a currency symbol after digits,
    not at every position before a symbol (what made it a third of the pack's time on reuters2006)."""
    rule = next(r for r in pack.ir.rules if r.name == "money.grouped_symbol")
    source = superset.superset_pattern(pack.extractor.plan.ruleset, rule.pattern)
    assert r"[\x00-\xff]*" not in source and source.endswith(r"[\x30-\x39][^0-9])")


def test_a_rule_too_large_for_the_gate_is_gated_on_its_start():
    words = [f"w{i:05d}x" for i in range(3000)]  # 24,000 characters: more than one Hyperscan expression takes
    source = ("fact Hit { word: str }\nlexicon big { " + " ".join(f'"{w}"' for w in words) + " }\n"
              'rule hit.big -> Hit { match "zz" w:@big "!" word = w }\n')
    rules = ierun.loads(source)
    cr = rules.extractor.plan.rules[0]
    assert cr.gate is not None
    assert superset.superset_pattern(rules.extractor.plan.ruleset, rules.ir.rules[0].pattern) == r"zz[^A-Za-z]"
    text = "say zz w02999x ! and zz w00001x ! zz nope ! zzw00002x !"
    facts = rules.extract_dicts(text)
    assert [(f["text"], f["fields"]["word"]) for f in facts] == [("zz w02999x !", "w02999x"),
                                                                  ("zz w00001x !", "w00001x")]


@pytest.mark.parametrize("start, text", [("CAPWORD", "x Zed w00007x ! and"), ('"the"? WORD', "x Zed w00007x ! and"),
                                         ('(?<= "x")', "x w00007x ! and")])
def test_a_rule_too_large_whose_start_any_word_matches_runs_ungated(start, text):
    """Tried at every word, a rule would be slower than searched ungated: only a prefix that needs a literal,
    a lexicon entry or a fact gates it."""
    words = [f"w{i:05d}x" for i in range(3000)]
    source = ("fact Hit { word: str }\nlexicon big { " + " ".join(f'"{w}"' for w in words) + " }\n"
              f'rule hit.big -> Hit {{ match {start} w:@big "!" word = w }}\n')
    rules = ierun.loads(source)
    assert rules.extractor.plan.rules[0].gate is None
    assert [f["fields"]["word"] for f in rules.extract_dicts(text)] == ["w00007x"]


def test_the_pack_gates_title_role_on_its_role_heads(pack):
    """title.role reads a long list of portfolios after a role head: its whole pattern is too large for
    Hyperscan, its start (the RoleHead facts) is not."""
    cr = next(cr for cr in pack.extractor.plan.rules if cr.name == "title.role")
    assert cr.gate is not None
