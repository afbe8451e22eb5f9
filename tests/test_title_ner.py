"""rules/title-ner: the pack's title rules over an NLP pipeline's entities (issue 17). These are the examples
and counter-examples of its rules (an example in a rule file cannot give entities): each text with the
entities a pipeline would give, and the exact Title facts of the whole pack with them and without them.
Without a pipeline the folder's rules are skipped and the pack gives exactly the facts it gives without the
folder."""
from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

import ierun
from ierun.annotations import Annotations, Entity
from ierun.cli import main

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
USES_LINE = next(n for n, line in enumerate((RULES / "title-ner" / "title_ner.ie").read_text().splitlines(), 1)
                 if line.startswith("uses nlp"))
WITHOUT_NER = [RULES / "facts.ie", *(RULES / d for d in ("common", "dateline", "headline", "money", "title"))]


def entities(text: str, *marked: tuple[str, str]) -> Annotations:
    """Annotations with an entity on the first occurrence of each (phrase, label)."""
    found = []
    for phrase, label in marked:
        start = text.index(phrase)
        found.append(Entity(start, start + len(phrase), label))
    return Annotations(tuple(found))


def titles(pack, text: str, annotations=None) -> list[tuple]:
    return [(f.rule, f.text, f.fields) for f in pack.extractor.run(text, annotations=annotations).facts
            if f.type == "Title"]


# (text, entities, Titles with the entities, Titles without a pipeline)
CASES = {
    # a PERSON entity after a role where the pack sees no name: lower case, a word the pack never takes for a
    # name ("English": a nationality), a single surname before an appositive role
    "lower-case name": (
        "CARACAS, May 4 - finance minister jorge delgado told reporters.", [("jorge delgado", "PERSON")],
        [("title.role_name", "finance minister jorge delgado", {"person": "jorge delgado", "role": "finance minister"})],
        []),
    "a name word the pack refuses": (
        "The utility's attorney Ann English said the board agreed.", [("Ann English", "PERSON")],
        [("title.role_name", "attorney Ann English", {"person": "Ann English", "role": "attorney"})],
        []),
    "single surname, appositive": (
        "Baker, Treasury Secretary during the first term, said so.", [("Baker", "PERSON")],
        [("title_ner.person_comma_role", "Baker, Treasury Secretary",
          {"person": "Baker", "role": "Treasury Secretary", "organization": None})],
        []),
    "organization before the role split off by the pack's rule": (
        "said Delta Partners analyst Mia Kovac.", [("Delta Partners", "ORG"), ("Mia Kovac", "PERSON")],
        [("title.org_role_name", "Delta Partners analyst Mia Kovac",
          {"person": "Mia Kovac", "role": "analyst", "organization": "Delta Partners"})],
        [("title.org_role_name", "Delta Partners analyst Mia Kovac",
          {"person": "Mia Kovac", "role": "analyst", "organization": "Delta Partners"})]),
    # counter-examples: an organization, country or nationality right after a role is no person
    "organization after a role": (
        "The notes were priced by lead manager Kleinwort Benson on Tuesday.", [("Kleinwort Benson", "ORG")],
        [],
        [("title.role_name", "lead manager Kleinwort Benson", {"person": "Kleinwort Benson", "role": "lead manager"})]),
    "organization after 'official'": (
        "Buyers resisted official OPEC prices last month.", [("OPEC", "ORG")],
        [],
        [("title.role_name", "official OPEC", {"person": "OPEC", "role": "official"})]),
    "nationality and organization after a role": (
        "The bonds were priced by lead manager Dutch\nMeerbank on Monday.", [("Dutch", "NORP"), ("Meerbank", "ORG")],
        [],
        [("title.role_name", "lead manager Dutch\nMeerbank", {"person": "Dutch Meerbank", "role": "lead manager"})]),
    # ... and one between two role words is part of the role, as written
    "country inside a role": (
        "said chief U.S. economist Nick Ward.", [("U.S.", "GPE"), ("Nick Ward", "PERSON")],
        [("title.role_name", "chief U.S. economist Nick Ward", {"person": "Nick Ward", "role": "chief U.S. economist"})],
        [("title.role_name", "chief U.S", {"person": "U.S", "role": "chief"}),
         ("title.role_name", "economist Nick Ward", {"person": "Nick Ward", "role": "economist"})]),
    "country inside an appositive role": (
        "said Nick Ward, chief U.S. economist at Delta Partners.",
        [("Nick Ward", "PERSON"), ("U.S.", "GPE"), ("Delta Partners", "ORG")],
        [("title.name_comma_role", "Nick Ward, chief U.S. economist at Delta Partners",
          {"person": "Nick Ward", "role": "chief U.S. economist", "organization": "Delta Partners"})],
        [("title.role_name", "chief U.S", {"person": "U.S", "role": "chief"})]),
    # ... unless a given name starts it: a small model often labels "ORG analyst Firstname Lastname" ORG
    "a person the pipeline calls an organization": (
        "Nomura analyst Kevin Marsh said on Monday.", [("Nomura", "ORG"), ("Kevin Marsh", "ORG")],
        [("title.org_role_name", "Nomura analyst Kevin Marsh",
          {"person": "Kevin Marsh", "role": "analyst", "organization": "Nomura"})],
        [("title.org_role_name", "Nomura analyst Kevin Marsh",
          {"person": "Kevin Marsh", "role": "analyst", "organization": "Nomura"})]),
    # the pack's own names stand where it finds them: an entity cut at a line break changes nothing, and an
    # appositive both find is one fact
    "entity cut at a line break": (
        "Oil Minister Hamid\nZanganeh said.", [("Hamid", "PERSON"), ("Zanganeh", "PERSON")],
        [("title.role_name", "Oil Minister Hamid\nZanganeh", {"person": "Hamid Zanganeh", "role": "Oil Minister"})],
        [("title.role_name", "Oil Minister Hamid\nZanganeh", {"person": "Hamid Zanganeh", "role": "Oil Minister"})]),
    "appositive found by both": (
        "said Ruth Hale, an analyst with Pell Capital.", [("Ruth Hale", "PERSON"), ("Pell Capital", "ORG")],
        [("title.name_comma_role", "Ruth Hale, an analyst with Pell Capital",
          {"person": "Ruth Hale", "role": "analyst", "organization": "Pell Capital"})],
        [("title.name_comma_role", "Ruth Hale, an analyst with Pell Capital",
          {"person": "Ruth Hale", "role": "analyst", "organization": "Pell Capital"})]),
}


@pytest.mark.parametrize("name", CASES)
def test_titles_with_the_pipelines_entities_and_without(pack, name):
    text, marked, want_with, want_without = CASES[name]
    assert titles(pack, text, entities(text, *marked)) == want_with
    assert titles(pack, text) == want_without


def test_the_folder_needs_entities_and_is_optional(pack):
    needs = pack.plan.nlp_needs
    assert (needs.entities, needs.tokens, needs.optional) == (frozenset({"PERSON", "ORG", "GPE", "NORP"}), False, True)
    assert (needs.loc.source.full_path, needs.loc.line) == (str(RULES / "title-ner" / "title_ner.ie"), USES_LINE)
    assert set(needs.rules) == {"title_ner.role_person", "title_ner.person_comma_role", "title_ner.role_of_org",
                                "title_ner.role_around_entity", "title_ner.role_before_given_name"}


def test_cli_with_annotations_in_the_records(tmp_path, capsys):
    text = "CARACAS, May 4 - finance minister jorge delgado told reporters. Baker, Treasury Secretary then, agreed."
    ann = {"ents": [{"start": text.index("jorge"), "end": text.index(" told"), "label": "PERSON"},
                    {"start": text.index("Baker"), "end": text.index(", Treasury"), "label": "PERSON"}]}
    corpus = tmp_path / "in.jsonl"
    corpus.write_text(json.dumps({"id": "a1", "text": text, "published": "2021-05-04", "nlp": ann}) + "\n")
    assert main([str(RULES), str(corpus), "--nlp", "record", "-j", "1"]) == 0
    out, err = capsys.readouterr()
    got = [json.loads(line) for line in out.splitlines()]
    assert [(f["type"], f["rule"], f["start"], f["end"], f["fields"]) for f in got] == [
        ("Dateline", "dateline.place_date", 0, 16, {"location": "CARACAS", "date": "2021-05-04", "agency": None}),
        ("Title", "title.role_name", 17, 47, {"person": "jorge delgado", "role": "finance minister"}),
        ("Title", "title_ner.person_comma_role", 64, 89,
         {"person": "Baker", "role": "Treasury Secretary", "organization": None}),
    ]
    assert err == ""


def test_cli_without_a_pipeline_notes_the_skipped_rules(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the rule file is outside the current folder: its path is shown absolute
    doc = tmp_path / "a.txt"
    doc.write_text("CARACAS, May 4 - finance minister jorge delgado told reporters.")
    assert main([str(RULES), str(doc), "--published", "2021-05-04", "-j", "1"]) == 0
    out, err = capsys.readouterr()
    assert [json.loads(line)["type"] for line in out.splitlines()] == ["Dateline"]
    assert err == (f"{RULES / 'title-ner' / 'title_ner.ie'}:{USES_LINE}:1: warning[W401]: no NLP pipeline: "
                   "5 rules needing one skipped (title_ner.role_person, title_ner.person_comma_role, "
                   "title_ner.role_of_org and 2 more); run with --nlp NAME or --nlp record to use them\n")


def test_the_note_names_the_declaration_from_wherever_the_cached_plan_is_used(tmp_path, monkeypatch, capsys):
    (tmp_path / "a" / "b").mkdir(parents=True)
    rules = tmp_path / "a" / "b" / "r.ie"
    rules.write_text("uses nlp entities PERSON optional\nfact T { p: str }\nrule t -> T { match p:<PERSON>  p = p }\n")
    (tmp_path / "d.txt").write_text("Ann Lee.")
    (tmp_path / "elsewhere").mkdir()
    for where, typed, expected in [("a", "b/r.ie", "b/r.ie"), (".", "a/b/r.ie", "a/b/r.ie"), ("a/b", "r.ie", "r.ie"),
                                   ("a/b", str(rules), "r.ie"), ("elsewhere", "../a/b/r.ie", str(rules))]:
        monkeypatch.chdir(tmp_path / where)  # the plan is compiled once, cached, and read from each folder
        assert main([typed, str(tmp_path / "d.txt"), "-j", "1"]) == 0
        assert capsys.readouterr().err.split(": warning", 1)[0] == f"{expected}:1:1"


# texts made of the words titles are made of: roles, names, organizations, function words, punctuation
WORDS = ["chairman", "Chairman", "analyst", "official", "lead manager", "Finance Minister", "minister", "Kevin",
         "Ann", "Marsh", "Delgado", "English", "OPEC", "Nomura", "Benson", "U.S.", "the", "an", "of", "at", "with",
         "said", ",", ".", "\n", "jorge", "Sheikh", "Dr.", "de", "al-Sabah", "Monday", "But"]


@st.composite
def documents(draw):
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=30))
    return " ".join(words)


@settings(deadline=None)
@given(documents())
def test_without_entities_the_folder_changes_no_fact(pack, text):
    """Given annotations with no entity, or none at all, the pack's facts are those of rules/ without
    rules/title-ner."""
    without = [f.to_dict() for f in _without_ner().extract(text)]
    assert [f.to_dict() for f in pack.extractor.run(text).facts] == without
    assert [f.to_dict() for f in pack.extractor.run(text, annotations=Annotations()).facts] == without


@settings(deadline=None)
@given(documents(), st.data())
def test_any_entities_give_titles_inside_the_text(pack, text, data):
    """Whatever entities a pipeline gives, every Title's fields are non-empty and its span is the text's."""
    n = len(text)
    spans = data.draw(st.lists(st.tuples(st.integers(0, n), st.integers(0, n), st.sampled_from(
        ["PERSON", "ORG", "GPE", "NORP", "DATE"])), max_size=6))
    ann = Annotations(tuple(Entity(min(a, b), max(a, b), label) for a, b, label in spans if a != b))
    for f in pack.extractor.run(text, annotations=ann).facts:
        assert f.text == text[f.start:f.end]
        if f.type == "Title":
            assert f.fields["person"] and f.fields["role"]


@functools.lru_cache(maxsize=1)
def _without_ner():
    return ierun.load(*map(str, WITHOUT_NER))
