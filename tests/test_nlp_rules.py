"""Rules over an NLP pipeline's annotations (issue 17): `uses nlp entities ...` makes entity facts that rules
consume like any fact, `plan.nlp_needs` says what the rules need, a run without a pipeline is an error (or,
for optional declarations, skips those rules with one note)."""
from __future__ import annotations

import json
import pickle

import pytest

import ierun
from ierun.annotations import Annotations, Entity
from ierun.engine.nlp import NlpMissing, filter_spans
from ierun.errors import RuleError

TITLE = """uses nlp entities PERSON, ORG
fact Title { person: str  role: str }
lexicon role { "President" "chief executive" }
rule title.role_person -> Title {
    match r:@role p:<PERSON>
    person = p.text
    role = r
}
"""
TEXT = "Yesterday President Joe  Biden met chief executive Tim Cook of Apple."
ANN = Annotations((Entity(20, 30, "PERSON"), Entity(51, 59, "PERSON"), Entity(63, 68, "ORG")))


def _facts(rs, text, annotations, **kw):
    return [f.to_dict() for f in rs.extractor.run(text, annotations=annotations, **kw).facts]


def test_role_then_person_entity_gives_titles_with_exact_spans():
    rs = ierun.loads(TITLE)
    assert _facts(rs, TEXT, ANN) == [
        {"doc": None, "type": "Title", "rule": "title.role_person", "start": 10, "end": 30,
         "text": "President Joe  Biden", "fields": {"person": "Joe Biden", "role": "President"},
         "field_spans": {"person": [20, 30], "role": [10, 19]}},
        {"doc": None, "type": "Title", "rule": "title.role_person", "start": 35, "end": 59,
         "text": "chief executive Tim Cook", "fields": {"person": "Tim Cook", "role": "chief executive"},
         "field_spans": {"person": [51, 59], "role": [35, 50]}},
    ]


def test_entity_facts_are_hidden_unless_asked_for():
    rs = ierun.loads(TITLE)
    found = _facts(rs, TEXT, ANN, include_hidden=True)
    assert [(f["type"], f["rule"], f["start"], f["end"], f["fields"]) for f in found if f["rule"] == "nlp"] == [
        ("PERSON", "nlp", 20, 30, {"text": "Joe Biden", "label": "PERSON"}),
        ("PERSON", "nlp", 51, 59, {"text": "Tim Cook", "label": "PERSON"}),
        ("ORG", "nlp", 63, 68, {"text": "Apple", "label": "ORG"}),
    ]


def test_an_entity_of_an_undeclared_label_is_no_fact():
    rs = ierun.loads(TITLE)
    ann = Annotations((Entity(20, 30, "GPE"),))
    assert _facts(rs, TEXT, ann, include_hidden=True) == []


def test_no_entities_no_titles():
    assert _facts(ierun.loads(TITLE), TEXT, Annotations()) == []


def test_plan_nlp_needs():
    needs = ierun.loads(TITLE).plan.nlp_needs
    assert (needs.entities, needs.tokens, needs.optional, needs.declared_at, needs.rules) == \
        (frozenset({"PERSON", "ORG"}), False, False, "<string>:1", ("title.role_person",))
    assert ierun.loads("fact A { x: str }\nrule a -> A { match t:\"x\" x = t }").plan.nlp_needs is None


def test_plan_with_needs_pickles():
    plan = pickle.loads(pickle.dumps(ierun.loads(TITLE).plan))
    assert plan.nlp_needs.entities == frozenset({"PERSON", "ORG"})


def test_needs_follow_the_facts_rules_consume():
    rs = ierun.loads(TITLE + """
fact Named hidden { who: str }
rule named.person -> Named { match p:<PERSON>  who = p.text }
fact Greeting { who: str }
rule greeting.hello -> Greeting { match "hello" n:<Named>  who = n.who }
fact Other { x: str }
rule other.x -> Other { match t:"x"  x = t }
""")
    assert rs.plan.nlp_needs.rules == ("title.role_person", "named.person", "greeting.hello")


def test_annotations_are_ignored_by_rules_without_needs():
    rs = ierun.loads('fact A { x: str }\nrule a -> A { match t:"Apple" x = t }')
    assert [f["text"] for f in _facts(rs, TEXT, ANN)] == ["Apple"]


def test_missing_pipeline_is_an_error_naming_the_declaration():
    rs = ierun.loads(TITLE, path="rules/title-ner/title.ie")
    with pytest.raises(NlpMissing) as info:
        rs.extractor.run(TEXT)
    assert str(info.value) == (
        "rules/title-ner/title.ie:1:1: error[E202]: the rules need an NLP pipeline (entities ORG, PERSON, declared "
        "here) and none was given\n"
        "    uses nlp entities PERSON, ORG\n"
        "    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "  hint: run with --nlp NAME (an installed spaCy pipeline, e.g. en_core_web_sm) or --nlp record, pass "
        "annotations=..., or mark the declaration 'optional'\n"
        "1 error")
    with pytest.raises(NlpMissing):
        rs.extractor.extract(TEXT)


def test_optional_rules_are_skipped_with_one_note():
    rs = ierun.loads(TITLE.replace("PERSON, ORG", "PERSON, ORG optional") +
                     'fact Co { x: str }\nrule co.apple -> Co { match t:"Apple"  x = t }\n', path="t.ie")
    out = rs.extractor.run(TEXT)
    assert [(f.type, f.text) for f in out.facts] == [("Co", "Apple")]
    assert out.problems == []
    assert [n.render() for n in out.notes] == [
        "t.ie:1:1: warning[W401]: no NLP pipeline: 1 rule needing one skipped (title.role_person)\n"
        "    uses nlp entities PERSON, ORG optional\n"
        "    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "  hint: run with --nlp NAME or --nlp record to use them"]
    assert [f.text for f in rs.extractor.extract(TEXT)] == ["Apple"]  # a note is no problem
    with_pipeline = rs.extractor.run(TEXT, annotations=ANN)
    assert (len(with_pipeline.facts), with_pipeline.notes) == (3, [])


def test_one_required_declaration_makes_the_pipeline_required():
    rs = ierun.loads("uses nlp entities ORG optional\n" + TITLE)
    assert rs.plan.nlp_needs.optional is False
    assert rs.plan.nlp_needs.declared_at == "<string>:2"


def test_yaml_declaration_equals_the_dsl():
    from ierun.language.parser import parse_text
    from ierun.language.yaml_front import parse_yaml
    dsl = parse_text("uses nlp entities PERSON, ORG tokens optional\n")
    yml = parse_yaml("nlp:\n  entities: [PERSON, ORG]\n  tokens: true\n  optional: true\n")
    assert dsl.decls == yml.decls


def test_yaml_rules_consume_entities():
    rs = ierun.loads("""
nlp: {entities: [PERSON]}
facts:
  Who: {fields: {name: str}}
rules:
  who.person:
    emits: Who
    match: 'p:<PERSON>'
    fields: {name: p.text}
""", syntax="yaml")
    assert [f["fields"] for f in _facts(rs, TEXT, ANN)] == [{"name": "Joe Biden"}, {"name": "Tim Cook"}]


def _errors(source, syntax="ie"):
    with pytest.raises(RuleError) as info:
        ierun.loads(source, syntax=syntax, path="r.ie")
    return [d.render() for d in info.value.diagnostics]


def test_label_declared_as_a_fact_type_too_is_an_error():
    assert _errors("fact PERSON { x: str }\nuses nlp entities ORG, PERSON\n") == [
        "r.ie:2:24: error[E132]: 'PERSON' is both an NLP entity label and a fact type declared at r.ie:1:6\n"
        "    uses nlp entities ORG, PERSON\n"
        "                           ^^^^^^\n"
        "  hint: rename the fact type: entity labels become fact types of their own"]


def test_a_rule_cannot_emit_an_entity_type():
    errs = _errors('uses nlp entities PERSON\nrule p.x -> PERSON { match t:"x" text = t label = t }\n')
    assert errs == [
        "r.ie:2:13: error[E132]: rule 'p.x' emits 'PERSON', an NLP entity label: entities come from the pipeline "
        "only\n"
        '    rule p.x -> PERSON { match t:"x" text = t label = t }\n'
        "                ^^^^^^\n"
        "  hint: emit a fact type of your own, e.g. fact Person {...}"]


def test_filter_spans_keeps_the_longest_then_the_first():
    assert filter_spans([(0, 5), (0, 10), (3, 12), (12, 14), (11, 13)]) == [(0, 10), (11, 13)]
    assert filter_spans([(2, 4), (0, 3)]) == [(0, 3)]


def test_overlapping_entities_of_one_label_keep_the_longest():
    rs = ierun.loads("uses nlp entities PERSON\nfact W { n: str }\nrule w.p -> W { match p:<PERSON> n = p.text }")
    ann = Annotations((Entity(20, 23, "PERSON"), Entity(20, 30, "PERSON"), Entity(24, 34, "PERSON")))
    assert [f["fields"]["n"] for f in _facts(rs, TEXT, ann)] == ["Joe Biden"]


def test_entities_outside_the_text_are_ignored():
    rs = ierun.loads("uses nlp entities PERSON\nfact W { n: str }\nrule w.p -> W { match p:<PERSON> n = p.text }")
    ann = Annotations((Entity(60, 600, "PERSON"), Entity(5, 5, "PERSON")))
    assert _facts(rs, TEXT, ann) == []


def test_entities_from_a_spacy_pipeline_with_an_entity_ruler():
    spacy = pytest.importorskip("spacy", reason="spacy is in the test extra: pip install -e '.[test]'")
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": "Joe Biden"}, {"label": "PERSON", "pattern": "Tim Cook"},
                        {"label": "ORG", "pattern": "Apple"}])
    text = "Yesterday President Joe Biden met chief executive Tim Cook of Apple."
    rs = ierun.loads(TITLE)
    found = _facts(rs, text, Annotations.from_spacy(nlp(text)))
    assert [(f["start"], f["end"], f["fields"]) for f in found] == [
        (10, 29, {"person": "Joe Biden", "role": "President"}),
        (34, 58, {"person": "Tim Cook", "role": "chief executive"})]


# ---- explain, examples and property checks of rules that need a pipeline -----------------------------------
def test_explain_shows_entity_facts_as_the_sources_of_a_match():
    from ierun.testing.explain import explain
    rs = ierun.loads(TITLE)
    [e] = explain(rs, TEXT, "title.role_person", find="Tim", annotations=ANN)
    assert e.outcome == "matched"
    assert e.fact["fields"] == {"person": "Tim Cook", "role": "chief executive"}
    assert e.render("").splitlines()[1:] == [
        "  it matched 'chief executive Tim Cook' at 35-59 and the engine emitted this Title fact",
        "  person = \"Tim Cook\" from 'Tim Cook'  set at <string>:5:19",
        "  role = \"chief executive\" from 'chief executive'  set at <string>:5:11"]
    [e] = explain(rs, "President Obama spoke.", "title.role_person", annotations=Annotations())
    assert e.render("").splitlines()[1:] == ["  it consumes PERSON facts and the document has none"]


def test_explain_follows_token_constraints():
    from ierun.annotations import Token
    from ierun.testing.explain import explain
    rs = ierun.loads('uses nlp tokens\nfact N { n: str }\nrule n.x -> N { match "Mr" n:[pos=PROPN]  n = n }')
    text = "Mr Smith and Mr jones"
    ann = Annotations((), (Token(3, 8, "PROPN"), Token(16, 21, "NOUN")))
    [e] = explain(rs, text, "n.x", find="jones", annotations=ann)
    assert e.outcome == "failed"
    assert "[pos=PROPN]" in e.render("")
    [e] = explain(rs, text, "n.x", find="Smith", annotations=ann)
    assert (e.outcome, e.fact["fields"]) == ("matched", {"n": "Smith"})


EXAMPLES = TITLE.replace('''    role = r
}''', '''    role = r
    example "President Joe Biden" { person: "Joe Biden" }
    counter "President Obama"
}
fact Co { x: str }
rule co.apple -> Co { match t:"Apple"  x = t  example "Apple" { x: "Apple" } }''')


def test_examples_of_rules_that_need_a_pipeline_are_skipped_without_one():
    from ierun.testing.examples import run_examples, summary
    rs = ierun.loads(EXAMPLES)
    outcomes = run_examples(rs)
    assert [(o.rule, o.ok, o.skipped) for o in outcomes] == [
        ("title.role_person", True, "needs an NLP pipeline (<string>:1); none was given"),
        ("title.role_person", True, "needs an NLP pipeline (<string>:1); none was given"),
        ("co.apple", True, None)]
    assert summary(outcomes) == "1 passed, 0 failed, 2 skipped"


def test_examples_run_with_a_pipeline():
    from ierun.testing.examples import run_examples, summary

    def annotate(text):
        return Annotations(tuple(Entity(text.index("Joe"), text.index("Joe") + 9, "PERSON")
                                 for _ in [0] if "Joe Biden" in text))
    outcomes = run_examples(ierun.loads(EXAMPLES), annotate=annotate)
    assert summary(outcomes) == "3 passed, 0 failed"
    wrong = run_examples(ierun.loads(EXAMPLES), annotate=lambda text: Annotations((Entity(10, 15, "PERSON"),)))
    assert [(o.rule, o.ok) for o in wrong] == [("title.role_person", False), ("title.role_person", False),
                                               ("co.apple", True)]


def test_property_checks_skip_rules_that_need_a_pipeline():
    from ierun.testing.examples import hypothesis_check
    reports = hypothesis_check(ierun.loads(EXAMPLES), max_examples=5)
    assert [(r.rule, r.failed, r.why) for r in reports] == [
        ("title.role_person", False, "needs an NLP pipeline (<string>:1); none was given")]
    # with a pipeline too: texts are drawn from a rule's structure, which cannot hold entities or tokens
    reports = hypothesis_check(ierun.loads(EXAMPLES), max_examples=5, annotate=lambda text: Annotations())
    assert [(r.rule, r.failed, r.why) for r in reports] == [
        ("title.role_person", False, "--hypothesis draws plain texts: a rule over NLP entities or tokens is not "
                                     "checked")]


def test_cli_hypothesis_counts_the_rules_it_skips(tmp_path, capsys):
    from ierun.cli import main
    (tmp_path / "t.ie").write_text(EXAMPLES, encoding="utf-8")
    assert main(["test", str(tmp_path), "--hypothesis", "--examples", "5"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-2:] == [f"{tmp_path / 't.ie'}:4:6: SKIP title.role_person: needs an NLP pipeline ({tmp_path / 't.ie'}:1); "
                        f"none was given", "hypothesis: 1 passed, 0 failed, 1 skipped"]


def test_cli_test_reports_skipped_examples(tmp_path, capsys):
    from ierun.cli import main
    (tmp_path / "t.ie").write_text(EXAMPLES, encoding="utf-8")
    assert main(["test", str(tmp_path)]) == 0
    where = tmp_path / "t.ie"
    assert capsys.readouterr().out == (
        f"skip title.role_person example 'President Joe Biden': needs an NLP pipeline ({where}:1); none was given\n"
        f"skip title.role_person counter 'President Obama': needs an NLP pipeline ({where}:1); none was given\n"
        "ok   co.apple example 'Apple'\n"
        "1 passed, 0 failed, 2 skipped\n")


E202 = ("r/t.ie:1:1: error[E202]: the rules need an NLP pipeline (entities ORG, PERSON, declared here) and none "
        "was given\n"
        "    uses nlp entities PERSON, ORG\n"
        "    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "  hint: run with --nlp NAME (an installed spaCy pipeline, e.g. en_core_web_sm) or --nlp record, pass "
        "annotations=..., or mark the declaration 'optional'\n"
        "1 error\n")


@pytest.mark.parametrize("command", [["run", "r", "d.txt"], ["eval", "r", "g.jsonl"], ["diff", "r", "r", "d.txt"]])
def test_cli_without_a_pipeline_is_a_start_up_error(command, tmp_path, monkeypatch, capsys):
    from ierun.cli import main
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "t.ie").write_text(TITLE, encoding="utf-8")
    (tmp_path / "d.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "g.jsonl").write_text('{"id": "1", "text": "President Joe Biden"}\n', encoding="utf-8")
    assert main(command) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", E202)


def test_cli_run_with_optional_rules_says_once_what_it_skips(tmp_path, monkeypatch, capsys):
    from ierun.cli import main
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "t.ie").write_text(TITLE.replace("ORG\n", "ORG optional\n") +
                                         'fact Co { x: str }\nrule co.apple -> Co { match t:"Apple"  x = t }\n')
    (tmp_path / "d.txt").write_text(TEXT, encoding="utf-8")
    assert main(["run", "-q", "r", "d.txt", "d.txt"]) == 0
    out, err = capsys.readouterr()
    assert [json.loads(line)["text"] for line in out.splitlines()] == ["Apple", "Apple"]
    assert main(["run", "r", "d.txt"]) == 0
    err = capsys.readouterr().err
    assert err == ("r/t.ie:1:1: warning[W401]: no NLP pipeline: 1 rule needing one skipped (title.role_person); "
                   "run with --nlp NAME or --nlp record to use them\n")


def test_check_judges_the_rules_that_need_no_pipeline_and_leaves_the_others(tmp_path, monkeypatch, capsys):
    """`ierun check` runs positive examples (W302, shadowed rules): without a pipeline it judges only the rules
    that need none, instead of stopping at E202."""
    from ierun.cli import main
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "t.ie").write_text(TITLE + 'fact Co { x: str }\nrule co.apple -> Co {\n    match t:"Apple"\n'
                                          '    x = t\n    example "Apple"\n    example "an Apple"\n'
                                          '    counter "a pear"\n}\n')
    assert main(["check", "r"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("r: ok (")
    assert "E202" not in err and "co.apple" not in err
