"""Rules over NLP annotations, end to end: `--nlp FOLDER` (a pipeline saved with nlp.to_disk), `--nlp record`,
`--jobs 2` and Dask like `--jobs 1`, eval/explain/test with --nlp, the Python API (`ierun.load(nlp=)`,
`annotations=`) and the spaCy component after an EntityRuler. No download: spacy.blank("en") + EntityRuler;
an optional test uses en_core_web_sm when a spaCy 3 build of it is installed."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

spacy = pytest.importorskip("spacy", reason="spacy is in the test extra: pip install -e '.[test]'")

import ierun  # noqa: E402
from ierun.annotations import Annotations, Entity  # noqa: E402
from ierun.cli import main  # noqa: E402

RULES = '''uses nlp entities PERSON, ORG

fact Said {
    person: str
}

fact Works {
    person: str
    org: str
}

rule said.person_said -> Said {
    match p:<PERSON> "said"
    person = p.text
}

rule works.person_of_org -> Works {
    match p:<PERSON> "of" o:<ORG>
    person = p.text
    org = o.text
}
'''
OPTIONAL = RULES.replace("uses nlp entities PERSON, ORG", "uses nlp entities PERSON, ORG optional")
TEXT = "John Smith said that Mary Jones of Acme Corp would pay."
# the facts of TEXT (the JSON Lines contract), "doc" aside
FACTS = [
    {"type": "Said", "rule": "said.person_said", "start": 0, "end": 15, "text": "John Smith said",
     "fields": {"person": "John Smith"}, "field_spans": {"person": [0, 10]}},
    {"type": "Works", "rule": "works.person_of_org", "start": 21, "end": 44, "text": "Mary Jones of Acme Corp",
     "fields": {"person": "Mary Jones", "org": "Acme Corp"}, "field_spans": {"person": [21, 31], "org": [35, 44]}},
]
ENTS = [{"start": 0, "end": 10, "label": "PERSON"}, {"start": 21, "end": 31, "label": "PERSON"},
        {"start": 35, "end": 44, "label": "ORG"}]


def ruler_nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([
        {"label": "PERSON", "pattern": "John Smith"}, {"label": "PERSON", "pattern": "Mary Jones"},
        {"label": "PERSON", "pattern": "Ann Lee"}, {"label": "ORG", "pattern": "Acme Corp"}])
    return nlp


@pytest.fixture(scope="module")
def pipe_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("nlp") / "ruler"
    ruler_nlp().to_disk(path)
    return str(path)


@pytest.fixture
def rules(tmp_path):
    (tmp_path / "ner.ie").write_text(RULES)
    return str(tmp_path / "ner.ie")


def facts_of(out: str, doc: str) -> list[dict]:
    return [dict(json.loads(line), doc=doc) for line in out.splitlines()]


def expected(doc: str, shift: int = 0, facts=FACTS) -> list[dict]:
    out = []
    for f in facts:
        out.append({"doc": doc, **{k: v for k, v in f.items()}, "start": f["start"] + shift,
                    "end": f["end"] + shift,
                    "field_spans": {k: [a + shift, b + shift] for k, (a, b) in f["field_spans"].items()}})
    return out


def test_the_fixture_facts_are_right():
    for f in FACTS:
        assert TEXT[f["start"]:f["end"]] == f["text"]
        for k, (a, b) in f["field_spans"].items():
            assert TEXT[a:b] == f["fields"][k]


# ---- the command line -----------------------------------------------------------------------------------
def test_nlp_pipeline_folder_gives_the_exact_facts(tmp_path, rules, pipe_dir, capsys):
    (tmp_path / "a.txt").write_text(TEXT)
    assert main([rules, str(tmp_path / "a.txt"), "--nlp", pipe_dir, "-j", "1"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert [json.loads(line) for line in out.splitlines()] == expected(str(tmp_path / "a.txt"))


def test_without_the_pipeline_the_run_stops_at_start_up_naming_the_declaration(tmp_path, rules, capsys):
    (tmp_path / "a.txt").write_text(TEXT)
    assert main([rules, str(tmp_path / "a.txt"), "-j", "1", "-o", str(tmp_path / "out.jsonl")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and not (tmp_path / "out.jsonl").exists()
    assert err == (f"{rules}:1:1: error[E202]: the rules need an NLP pipeline (entities ORG, PERSON, declared here) "
                   f"and none was given\n    uses nlp entities PERSON, ORG\n    {'^' * 29}\n  hint: run with --nlp "
                   f"NAME (an installed spaCy pipeline, e.g. en_core_web_sm) or --nlp record, pass annotations=..., "
                   f"or mark the declaration 'optional'\n1 error\n")


def test_optional_needs_without_a_pipeline_note_once_and_skip_those_rules(tmp_path, capsys):
    (tmp_path / "ner.ie").write_text(OPTIONAL)
    (tmp_path / "a.txt").write_text(TEXT)
    argv = [str(tmp_path / "ner.ie"), str(tmp_path / "a.txt"), "-j", "1"]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (f"{tmp_path / 'ner.ie'}:1:1: warning[W401]: no NLP pipeline: 2 rules needing one skipped "
                   f"(said.person_said, works.person_of_org); run with --nlp NAME or --nlp record to use them\n")
    assert main(argv + ["-q"]) == 0
    assert capsys.readouterr() == ("", "")


def write_records(path: Path, n: int, bad: dict | None = None) -> list[str]:
    """n records of TEXT with a prefix "Doc i. " (entities shifted), "nlp" as spaCy's Doc.to_json(); `bad`:
    {record number (1-based): the "nlp" value to write instead (or ... for none)}."""
    lines = []
    for i in range(1, n + 1):
        prefix = f"Doc {i}. "
        text = prefix + TEXT
        rec = {"id": f"d{i}", "text": text,
               "nlp": {"text": text, "ents": [dict(e, start=e["start"] + len(prefix), end=e["end"] + len(prefix))
                                              for e in ENTS]}}
        if bad and i in bad:
            if bad[i] is ...:
                del rec["nlp"]
            else:
                rec["nlp"] = bad[i]
        lines.append(json.dumps(rec))
    path.write_text("\n".join(lines) + "\n")
    return [f"d{i}" for i in range(1, n + 1)]


def test_nlp_record_gives_the_exact_facts_and_a_bad_record_is_its_own_error(tmp_path, rules, capsys):
    corpus = tmp_path / "c.jsonl"
    write_records(corpus, 4, bad={2: ..., 3: {"ents": [{"start": 5, "end": 2, "label": "PERSON"}]}})
    assert main([rules, str(corpus), "--nlp", "record", "-j", "1", "--errors", str(tmp_path / "e.jsonl")]) == 1
    out, err = capsys.readouterr()
    want = [f for i in (1, 4) for f in expected(f"d{i}", len(f"Doc {i}. "))]
    assert [json.loads(line) for line in out.splitlines()] == want
    m2 = (f"{corpus}:2: record has no \"nlp\" field: --nlp record reads each document's annotations from it "
          f"(spaCy's Doc.to_json())")
    m3 = f"{corpus}:3: \"nlp\": ents[0]: start and end must be offsets in the text (0 <= start <= end <= 62), got 5 and 2"
    assert err == f"ierun: error: {m2}\nierun: error: {m3}\nierun: 2 inputs failed; the others were processed\n"
    assert [json.loads(x) for x in (tmp_path / "e.jsonl").read_text().splitlines()] == [
        {"doc": f"{corpus}:2", "stage": "input", "message": m2}, {"doc": f"{corpus}:3", "stage": "input", "message": m3}]


def test_jobs_2_gives_the_output_of_jobs_1(tmp_path, rules, pipe_dir, capsys):
    corpus = tmp_path / "c.jsonl"
    write_records(corpus, 150, bad={70: ...})  # three chunks of documents, one bad record
    runs = {}
    for how in (["--nlp", pipe_dir], ["--nlp", "record"]):
        for jobs in ("1", "2"):
            out = tmp_path / f"out-{how[1] == 'record'}-{jobs}.jsonl"
            status = main([rules, str(corpus), *how, "-j", jobs, "-o", str(out)])
            err = capsys.readouterr().err
            runs[how[1] == "record", jobs] = (status, out.read_bytes(), err)
    assert runs[False, "1"] == runs[False, "2"] and runs[True, "1"] == runs[True, "2"]
    assert runs[False, "1"][0] == 0 and runs[True, "1"][0] == 1  # the pipeline annotates d70; record has none
    assert runs[False, "1"][1].count(b"\n") == 300 and runs[True, "1"][1].count(b"\n") == 298
    assert runs[True, "1"][1] == b"".join(line + b"\n" for line in runs[False, "1"][1].splitlines()
                                          if b'"doc": "d70"' not in line)


def test_dask_workers_give_the_output_of_jobs_1(tmp_path, rules, pipe_dir, capsys):
    pytest.importorskip("dask.distributed")
    corpus = tmp_path / "c.jsonl"
    write_records(corpus, 70)
    assert main([rules, str(corpus), "--nlp", pipe_dir, "-j", "1", "-o", str(tmp_path / "one.jsonl")]) == 0
    assert main([rules, str(corpus), "--nlp", pipe_dir, "--executor", "dask", "-j", "2", "-o",
                 str(tmp_path / "dask.jsonl")]) == 0
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "one.jsonl").read_bytes()


def test_eval_and_explain_take_nlp(tmp_path, rules, pipe_dir, capsys):
    (tmp_path / "a.txt").write_text(TEXT)
    assert main(["explain", rules, str(tmp_path / "a.txt"), "--nlp", pipe_dir, "--json",
                 "--rule", "said.person_said"]) == 0
    found = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(e["rule"], e["outcome"]) for e in found] == [("said.person_said", "matched")]
    assert main(["explain", rules, str(tmp_path / "a.txt"), "--rule", "said.person_said"]) == 2
    assert "error[E202]" in capsys.readouterr().err
    gold = tmp_path / "g.jsonl"
    write_records(gold, 2)
    assert main(["eval", rules, str(gold), "--nlp", "record", "--facts", str(tmp_path / "f.jsonl")]) == 0
    capsys.readouterr()
    assert [json.loads(x)["fields"] for x in (tmp_path / "f.jsonl").read_text().splitlines()] == \
        [f["fields"] for f in FACTS] * 2
    facts = (tmp_path / "f.jsonl").read_text()
    assert main(["eval", rules, str(gold), "--nlp", pipe_dir, "--facts", str(tmp_path / "f2.jsonl")]) == 0
    assert (tmp_path / "f2.jsonl").read_text() == facts  # the pipeline in batches finds what the records carry
    assert main(["eval", rules, str(gold)]) == 2
    assert "error[E202]" in capsys.readouterr().err


def test_eval_leaves_the_articles_that_failed_out_of_the_figures(tmp_path, rules, capsys):
    from ierun.testing.evaluate import run_gold
    gold = tmp_path / "g.jsonl"
    write_records(gold, 3, bad={2: {"ents": [{"start": 0, "end": 999, "label": "PERSON"}]}})
    kept, system, problems, failed = run_gold(ierun.load(rules), gold, nlp_field="nlp")
    assert (sorted(kept), sorted(system), failed) == (["d1", "d3"], ["d1", "d3"], {"d2"})
    assert main(["eval", rules, str(gold), "--nlp", "record"]) == 1
    err = capsys.readouterr().err
    assert f"ierun: error: {gold}:2: \"nlp\": ents[0]: start and end must be offsets" in err
    assert "ierun: note: 1 gold article failed and is left out of the figures (they cover the other 2)\n" in err


# ---- the Python API -------------------------------------------------------------------------------------
def test_load_with_a_pipeline_runs_it_on_the_text(rules, pipe_dir):
    for nlp in (ruler_nlp(), pipe_dir):
        rs = ierun.load(rules, nlp=nlp)
        assert rs.extract_dicts(TEXT, doc_id="x") == expected("x")


def test_annotations_given_in_the_call_are_used_and_a_missing_pipeline_is_an_error(rules):
    rs = ierun.load(rules)
    ann = Annotations(tuple(Entity(e["start"], e["end"], e["label"]) for e in ENTS))
    assert rs.extract_dicts(TEXT, doc_id="x", annotations=ann) == expected("x")
    assert rs.extract_dicts(TEXT, doc_id="x", annotations=ruler_nlp()(TEXT)) == expected("x")  # a spaCy Doc
    assert rs.run(TEXT, annotations=ann).facts == rs.extract(TEXT, annotations=ann)
    with pytest.raises(ierun.IerunError) as info:
        rs.extract(TEXT)
    assert "error[E202]: the rules need an NLP pipeline (entities ORG, PERSON, declared here)" in str(info.value)


def test_the_spacy_component_reads_the_entities_of_an_entity_ruler_before_it(tmp_path):
    (tmp_path / "ner.ie").write_text(RULES)
    nlp = ruler_nlp()
    nlp.add_pipe("ierun", config={"rules": str(tmp_path / "ner.ie")})
    doc = nlp(TEXT)
    assert [(s.label_, s.start_char, s.end_char) for s in doc.spans["ierun"]] == [
        ("Said", 0, 15), ("Works", 21, 44)]
    assert [s._.ierun["fields"] for s in doc.spans["ierun"]] == [f["fields"] for f in FACTS]


def test_a_small_english_model_when_installed(tmp_path, rules):
    try:
        import en_core_web_sm  # noqa: F401
    except ImportError:
        pytest.skip("en_core_web_sm (spaCy 3) is not installed: no spaCy 3 English model is installable here")
    nlp = spacy.load("en_core_web_sm")
    rs = ierun.load(rules, nlp=nlp)
    facts = rs.extract_dicts("Barack Obama said on Tuesday that he would travel.")
    assert [(f["type"], f["fields"]) for f in facts] == [("Said", {"person": "Barack Obama"})]


# ---- ierun test and the pytest plugin: examples of rules that use NLP annotations --------------------------
WITH_EXAMPLES = RULES.replace('''    person = p.text
}
''', '''    person = p.text
    example "Ann Lee said" { person: "Ann Lee" }
    counter "Nobody said"
}
''', 1)


def test_ierun_test_runs_the_examples_with_the_pipeline(tmp_path, pipe_dir, capsys):
    (tmp_path / "ner.ie").write_text(WITH_EXAMPLES)
    assert main(["test", str(tmp_path), "--nlp", pipe_dir]) == 0
    assert capsys.readouterr().out == ("ok   said.person_said example 'Ann Lee said'\n"
                                       "ok   said.person_said counter 'Nobody said'\n2 passed, 0 failed\n")
    assert main(["test", str(tmp_path), "-q"]) == 0  # no pipeline: those examples are skipped, with the reason
    assert capsys.readouterr() == ("0 passed, 0 failed, 2 skipped\n", "")


def test_the_pytest_plugin_runs_nlp_examples_with_ierun_nlp_and_skips_them_without(tmp_path, pipe_dir):
    import os
    import subprocess
    import sys
    from importlib.metadata import entry_points
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "ner.ie").write_text(WITH_EXAMPLES)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent / "engine")}
    installed = any(ep.name == "ierun" for ep in entry_points(group="pytest11"))
    plugin = [] if installed else ["-p", "ierun.testing.pytest_plugin"]
    for ini, verdict in ((f"ierun_nlp = {pipe_dir}\n", "PASSED"), ("", "SKIPPED")):
        (tmp_path / "pytest.ini").write_text("[pytest]\nierun_rules = rules\n" + ini)
        out = subprocess.run([sys.executable, "-m", "pytest", *plugin, "rules", "-v", "-rs", "-p", "no:cacheprovider"],
                             cwd=tmp_path, env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stdout + out.stderr
        assert f"rules/ner.ie::said.person_said::example0 {verdict}" in out.stdout
        assert f"rules/ner.ie::said.person_said::counter1 {verdict}" in out.stdout
        if verdict == "SKIPPED":
            assert (f"needs an NLP pipeline ({tmp_path / 'rules' / 'ner.ie'}:1); none was given: set ierun_nlp (a "
                    f"spaCy pipeline's name or folder) in the pytest configuration to run it") in out.stdout


# ---- token constraints: the pipeline's tokens (spaCy's AttributeRuler sets pos and lemma, no model) ---------
TOKEN_RULES = '''uses nlp tokens

fact Speaker {
    name: str
}

rule speaker.propn_say -> Speaker {
    match n:[pos=PROPN]+ [lemma="say"]
    name = n
}
'''


def tagging_nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("attribute_ruler").add_patterns([
        {"patterns": [[{"IS_TITLE": True}]], "attrs": {"POS": "PROPN"}},
        {"patterns": [[{"LOWER": {"IN": ["said", "says"]}}]], "attrs": {"POS": "VERB", "LEMMA": "say"}}])
    return nlp


def test_token_constraints_read_the_pipeline_tokens_in_every_run(tmp_path, capsys):
    (tmp_path / "t.ie").write_text(TOKEN_RULES)
    tagging_nlp().to_disk(tmp_path / "tagger")
    corpus = tmp_path / "c.jsonl"
    texts = [f"Ann Lee says {i} and then Bob said no." for i in range(70)]
    corpus.write_text("".join(json.dumps({"id": f"d{i}", "text": t}) + "\n" for i, t in enumerate(texts)))
    outs = []
    for jobs in ("1", "2"):
        assert main([str(tmp_path / "t.ie"), str(corpus), "--nlp", str(tmp_path / "tagger"), "-j", jobs]) == 0
        outs.append(capsys.readouterr().out)
    assert outs[0] == outs[1]
    found = [json.loads(line) for line in outs[0].splitlines()]
    assert [(f["doc"], f["text"], f["fields"]) for f in found[:2]] == [
        ("d0", "Ann Lee says", {"name": "Ann Lee"}), ("d0", "Bob said", {"name": "Bob"})]
    assert len(found) == 140
    # the same tokens carried in the records (Doc.to_json()) give the same facts
    nlp = tagging_nlp()
    corpus.write_text("".join(json.dumps({"id": f"d{i}", "text": t, "nlp": nlp(t).to_json()}) + "\n"
                              for i, t in enumerate(texts)))
    assert main([str(tmp_path / "t.ie"), str(corpus), "--nlp", "record", "-j", "1"]) == 0
    assert capsys.readouterr().out == outs[0]


@spacy.Language.component("h17_fails_on_boom")
def _fails_on_boom(doc):
    if "BOOM" in doc.text:
        raise ValueError("cannot annotate this")
    return doc


def test_a_document_the_pipeline_fails_on_is_its_own_error(tmp_path, rules, capsys):
    nlp = ruler_nlp()
    nlp.add_pipe("h17_fails_on_boom")
    nlp.to_disk(tmp_path / "fragile")
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"d{i}", "text": t}) + "\n"
                              for i, t in enumerate([TEXT, "BOOM. " + TEXT, TEXT], 1)))
    for jobs in ("1", "2"):
        status = main([rules, str(corpus), "--nlp", str(tmp_path / "fragile"), "-j", jobs,
                       "--errors", str(tmp_path / "e.jsonl")])
        out, err = capsys.readouterr()
        assert status == 1
        assert [json.loads(line) for line in out.splitlines()] == expected("d1") + expected("d3")
        message = "d2: the NLP pipeline failed on this document: ValueError: cannot annotate this"
        assert err == f"ierun: error: {message}\nierun: 1 input failed; the others were processed\n"
        assert json.loads((tmp_path / "e.jsonl").read_text()) == {"doc": "d2", "stage": "nlp", "message": message}
    assert main([rules, str(corpus), "--nlp", str(tmp_path / "fragile"), "-j", "1", "--format", "html",
                 "-o", str(tmp_path / "out.html"), "--errors", str(tmp_path / "e.jsonl")]) == 1
    assert capsys.readouterr().err == f"ierun: error: {message}\nierun: 1 input failed; the others were processed\n"
    assert json.loads((tmp_path / "e.jsonl").read_text()) == {"doc": "d2", "stage": "nlp", "message": message}


PIPELINE_RUNS = []


@spacy.Language.component("h17_counts_texts")
def _counts_texts(doc):
    PIPELINE_RUNS.append(doc.text)
    return doc


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_diff_with_a_pipeline_annotates_each_document_once_for_both_sides(tmp_path, rules, capsys, jobs):
    nlp = ruler_nlp()
    nlp.add_pipe("h17_counts_texts")
    nlp.to_disk(tmp_path / "counting")
    (tmp_path / "new.ie").write_text(RULES.replace('p:<PERSON> "said"', 'p:<PERSON> ("said" | "told")'))
    (tmp_path / "a.txt").write_text(TEXT)
    (tmp_path / "b.txt").write_text("Ann Lee told reporters.")
    PIPELINE_RUNS.clear()
    assert main(["diff", rules, str(tmp_path / "new.ie"), str(tmp_path / "a.txt"), str(tmp_path / "b.txt"),
                 "--nlp", str(tmp_path / "counting"), "-j", jobs, "--json"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert [(c["doc"], c["change"], c["new"]["fields"]) for c in map(json.loads, out.splitlines())] == [
        (str(tmp_path / "b.txt"), "added", {"person": "Ann Lee"})]
    assert sorted(PIPELINE_RUNS) == sorted([TEXT, "Ann Lee told reporters."])  # once each, not once a side


def test_a_pipeline_without_what_the_rules_read_is_said_not_a_silent_zero(tmp_path, capsys):
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "PER", "pattern": "John Smith"}])
    nlp.to_disk(tmp_path / "per")
    (tmp_path / "ner.ie").write_text(RULES)
    (tmp_path / "tok.ie").write_text('uses nlp tokens\nfact N { n: str }\nrule n.propn -> N {\n'
                                     '    match "Mr" n:[pos=PROPN & lemma!="mr"]\n    n = n\n}\n')
    (tmp_path / "a.txt").write_text(TEXT)
    pipe = str(tmp_path / "per")
    assert main([str(tmp_path / "ner.ie"), str(tmp_path / "a.txt"), "--nlp", pipe, "-j", "1"]) == 0
    assert capsys.readouterr() == ("", f"ierun: note: --nlp {pipe}: it has no entity label ORG or PERSON (its "
                                       f"labels: PER): rules over them find nothing\n")
    assert main([str(tmp_path / "tok.ie"), str(tmp_path / "a.txt"), "--nlp", pipe, "-j", "1"]) == 0
    assert capsys.readouterr() == ("", f"ierun: note: --nlp {pipe}: it sets no lemma, pos on tokens: the token "
                                       f"tests of lemma and pos find nothing\n")
    assert main([str(tmp_path / "tok.ie"), str(tmp_path / "a.txt"), "--nlp", pipe, "-j", "1", "-q"]) == 0
    assert capsys.readouterr() == ("", "")
    # records: rules that test tokens need each record's tokens
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"id": "d1", "text": "Mr Smith.", "nlp": {"ents": []}}) + "\n")
    assert main([str(tmp_path / "tok.ie"), str(corpus), "--nlp", "record", "-j", "1"]) == 1
    assert capsys.readouterr().err == (f"ierun: error: {corpus}:1: \"nlp\" has no \"tokens\": the rules test tokens "
                                       f"(pos, tag, lemma)\nierun: 1 input failed; the others were processed\n")


def test_explain_shows_what_the_pipeline_token_held_where_a_token_test_failed(tmp_path, capsys):
    nlp = spacy.blank("en")
    nlp.add_pipe("attribute_ruler").add_patterns([
        {"patterns": [[{"ORTH": "Mr"}]], "attrs": {"POS": "PROPN", "TAG": "NNP", "LEMMA": "mr"}}])
    nlp.to_disk(tmp_path / "pos")
    (tmp_path / "tok.ie").write_text('uses nlp tokens\nfact N { n: str }\nrule n.x -> N {\n'
                                     '    match n:[pos=PROPN & lemma!="mr"] "said"\n    n = n\n}\n')
    argv = ["explain", str(tmp_path / "tok.ie"), "--text", "Mr said.", "--nlp", str(tmp_path / "pos"),
            "--at", "0", "--rule", "n.x"]
    assert main(argv + ["--json"]) == 0
    out, err = capsys.readouterr()
    assert err == ""  # an attribute_ruler may set any attribute: no note that it sets none
    found = json.loads(out)
    assert found["failed_at"]["token"] == "the pipeline's token there has pos=PROPN, tag=NNP, lemma=mr"
    assert found["reason"].endswith("found 'Mr' at offset 0 (the pipeline's token there has pos=PROPN, tag=NNP, "
                                    "lemma=mr)")
