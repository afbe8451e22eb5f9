"""The Hyperscan gate changes how fast the pack runs, never what it finds: the same facts with the gate and
without it (IERUN_NO_HYPERSCAN=1), on the seed and on every example text of the pack and its variants."""
from pathlib import Path

import pytest

import ierun
from ierun.engine import gate, superset
ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(gate.hyperscan is None, reason="Hyperscan is not installed")


@pytest.fixture(scope="module")
def packs(pack):
    gated = pack
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("IERUN_NO_HYPERSCAN", "1")
        plain = ierun.load(ROOT / "rules", use_cache=False)
    return gated, plain


def _texts(rules):
    seed = (ROOT / "examples" / "seed" / "menafn-kz-uk.txt").read_text(encoding="utf-8")
    texts = [seed, seed.replace("\n", "\r\n"), seed.upper(), "\u201c" + seed.replace(" ", "\u00a0")]
    for rule in rules.ir.rules:
        for ex in rule.examples:
            texts += [ex.text, "A line.\n\n" + ex.text, ex.text + " \u2014 " + ex.text, ex.text.upper()]
    return texts


def test_the_pack_is_gated(packs):
    gated, plain = packs
    assert gated.extractor.plan.gates and not plain.extractor.plan.gates
    assert sum(cr.gate is not None for cr in gated.extractor.plan.rules) >= 30


def test_same_facts_with_and_without_the_gate(packs):
    gated, plain = packs
    for text in _texts(gated):
        for pub in (None, "2013-01-02"):
            assert gated.extract_dicts(text, pub) == plain.extract_dicts(text, pub), text


def test_the_gate_survives_pickling(packs):
    import pickle
    gated, _ = packs
    plan = pickle.loads(pickle.dumps(gated.extractor.plan))
    assert plan.gates[0]._db is None  # the database is rebuilt from its bytes where it is used
    text = "It paid 300 mln dlrs, Treasury Secretary James Baker said."
    assert ierun.RuleSet(plan).extract_dicts(text) == gated.extract_dicts(text)


@pytest.mark.parametrize("pattern, ctx", [
    ('"dlrs"', "[^A-Za-z]"),         # a word starts after a character that is no letter
    ("NUMBER", "[^0-9]"),            # a number after one that is no digit
    ('"$" NUMBER', r"[\x00-\xff]"),  # a symbol after anything
    ('"a"? "b"', r"[\x00-\xff]"),    # an optional start: anything
])
def test_the_character_before_a_match(pattern, ctx):
    rules = ierun.loads(f"fact F {{ }}\nrule r -> F {{ match {pattern} }}\n")
    source = superset.superset_pattern(rules.extractor.plan.ruleset, rules.ir.rules[0].pattern)
    assert source.endswith(ctx)


def test_explain_plan_shows_each_rules_gate(capsys, tmp_path):
    from ierun.cli import main
    seed = str(ROOT / "examples" / "seed" / "menafn-kz-uk.txt")
    # the facts go to a file of this test's own: never -o /dev/null (renamed over, it stops being a device)
    assert main([str(ROOT / "rules"), seed, "--explain", "plan", "-o", str(tmp_path / "facts.jsonl")]) == 0
    err = capsys.readouterr().err
    assert "--- phase 0 rule published.iso_header" in err
    assert "trigger: always gate: start\n" in err  # money.symbol_amount: its words are the gate's business
    assert "rule headline.blank_line" in err and "gate: none" in err  # anchored at the text's start
    assert "gate pattern (reversed): " in err


def test_kept_regex_programs_match_like_their_sources(packs):
    """A cached plan rebuilds its regexes from the programs it kept, without parsing: the same matches."""
    from ierun.engine.regex_code import compile_regex, from_code
    gated, _ = packs
    text = (ROOT / "examples" / "seed" / "menafn-kz-uk.txt").read_text(encoding="utf-8")
    text += "\nIt paid 300 mln dlrs, Treasury Secretary James Baker said. LONDON, March 3 - A $5 bid."
    for cr in gated.extractor.plan.rules:
        if cr.code is None:  # a rule over a scanned lexicon: its regex is written per document (lexscan.py)
            assert cr.template is not None, cr.name
            continue
        kept, parsed = from_code(cr.code), compile_regex(cr.source, cr.lists)
        assert [m.span() for m in kept.finditer(text)] == [m.span() for m in parsed.finditer(text)], cr.name
        assert kept.groupindex == parsed.groupindex


def test_a_rule_too_large_for_the_gate_runs_ungated():
    words = [f"w{i:05d}x" for i in range(3000)]  # 24,000 characters: more than one Hyperscan expression takes
    source = ("fact Hit { word: str }\nlexicon big { " + " ".join(f'"{w}"' for w in words) + " }\n"
              'rule hit.big -> Hit { match w:@big "!" word = w }\nrule hit.small -> Hit { match w:"zz" "!" word = w }\n')
    rules = ierun.loads(source)
    plan = rules.extractor.plan
    assert [cr.gate is None for cr in plan.rules] == [True, False]
    facts = rules.extract_dicts("say w02999x ! and zz !")
    assert [(f["rule"], f["text"]) for f in facts] == [("hit.big", "w02999x !"), ("hit.small", "zz !")]


def test_the_time_limit_holds_for_all_the_places_together():
    """Where the gate gives a rule many places to try, `timeout` bounds them together, as it bounds one
    finditer: 20 tries of 0.05 s each under a limit of 0.2 s stop after about 4."""
    import time
    from ierun.engine.match import finditer_at

    class Slow:
        calls = 0

        def match(self, text, pos, endpos, timeout=None):
            Slow.calls += 1
            time.sleep(0.05)
            if timeout is not None and timeout < 0.05:
                raise TimeoutError
            return None

    with pytest.raises(TimeoutError):
        list(finditer_at(Slow(), "x" * 100, list(range(0, 40, 2)), [(0, 100)], False, timeout=0.2))
    assert Slow.calls <= 6
