"""Getting NLP annotations to the engine (nlp.py, cli/nlp_opts.py): pipelines loaded once by name or folder,
clear start-up errors (exit 2) for a pipeline that cannot be loaded and for `--nlp record` on inputs that are
not JSON Lines, records' "nlp" fields read into Annotations with errors at file:line, nlp.pipe batches with
per-document isolation, and what the annotator reads given `plan.nlp_needs`. No download: spacy.blank("en") and an
EntityRuler."""
from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

spacy = pytest.importorskip("spacy", reason="spacy is in the test extra: pip install -e '.[test]'")

from ierun.annotations import Annotations, Entity, Token  # noqa: E402
from ierun.cli import main  # noqa: E402
from ierun.cli import nlp_opts  # noqa: E402
from ierun.cli.inputs import Document, InputProblem, read_inputs  # noqa: E402
from ierun import nlp as N  # noqa: E402
from ierun.language.nlp import NlpNeeds  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "examples" / "rules"


def ruler_nlp():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": "John Smith"}, {"label": "ORG", "pattern": "Acme"}])
    return nlp


@pytest.fixture(scope="module")
def pipe_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("nlp") / "ruler"
    ruler_nlp().to_disk(path)
    return path


def needs(entities=("PERSON",), tokens=False, optional=False):
    return NlpNeeds(frozenset(entities), tokens, optional)


# ---- loading a pipeline ----------------------------------------------------------------------------------
def test_a_pipeline_folder_is_loaded_once_per_process(pipe_dir):
    first = N.load_pipeline(str(pipe_dir))
    assert first.pipe_names == ["entity_ruler"]
    assert N.load_pipeline(str(pipe_dir)) is first
    lang = ruler_nlp()
    assert N.load_pipeline(lang) is lang  # a Language given in Python is used as it is


def test_an_uninstalled_pipeline_is_one_line_and_exit_2(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("John Smith of Acme paid $5.")
    assert main([str(RULES), str(tmp_path / "a.txt"), "--nlp", "xx_not_a_pipeline_sm", "-j", "1"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == ("ierun: error[E401]: --nlp xx_not_a_pipeline_sm: cannot load the NLP pipeline: no installed "
                   "spaCy pipeline of that name (install it, e.g. python -m spacy download NAME)\n")


@pytest.mark.parametrize("name, reason", [
    ("missing", "no such folder"),
    ("empty", "the folder has no config.cfg: not a spaCy pipeline folder"),
    ("file.txt", "not a folder (a pipeline is a folder nlp.to_disk wrote)"),
])
def test_a_bad_pipeline_path_is_one_line_and_exit_2(tmp_path, capsys, name, reason):
    (tmp_path / "empty").mkdir()
    (tmp_path / "file.txt").write_text("x")
    (tmp_path / "a.txt").write_text("John Smith of Acme paid $5.")
    spec = str(tmp_path / name)
    assert main([str(RULES), str(tmp_path / "a.txt"), "--nlp", spec, "-j", "1"]) == 2
    assert capsys.readouterr() == ("", f"ierun: error[E401]: --nlp {spec}: cannot load the NLP pipeline: {reason}\n")


def test_without_spacy_the_message_says_what_to_install(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "spacy", None)  # import spacy fails as if it were not installed
    (tmp_path / "a.txt").write_text("x")
    assert main([str(RULES), str(tmp_path / "a.txt"), "--nlp", "xx_other_sm", "-j", "1"]) == 2
    assert capsys.readouterr().err == ("ierun: error[E401]: --nlp xx_other_sm: spaCy is not installed; install "
                                       "ierun[spacy]: pip install 'ierun[spacy]'\n")


def test_a_pipeline_that_cannot_load_stops_every_command_before_any_work(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "g.jsonl").write_text('{"id": "1", "text": "x"}\n')
    line = ("ierun: error[E401]: --nlp xx_none_sm: cannot load the NLP pipeline: no installed spaCy pipeline of "
            "that name (install it, e.g. python -m spacy download NAME)\n")
    for argv in (["eval", str(RULES), str(tmp_path / "g.jsonl")], ["test", str(RULES)],
                 ["explain", str(RULES), str(tmp_path / "a.txt")], ["diff", str(RULES), str(RULES), str(tmp_path / "a.txt")]):
        assert main(argv + ["--nlp", "xx_none_sm"]) == 2, argv
        assert capsys.readouterr() == ("", line), argv


def test_nlp_record_on_text_files_is_a_start_up_error(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("John Smith paid $5.")
    assert main([str(RULES), str(tmp_path / "a.txt"), "--nlp", "record", "-j", "1"]) == 2
    assert capsys.readouterr() == ("", f"ierun: error: --nlp record reads the annotations of JSON Lines records "
                                       f"(their \"nlp\" field), and {tmp_path / 'a.txt'} is not JSON Lines: give "
                                       f"--jsonl, or .jsonl files\n")
    assert main(["test", str(RULES), "--nlp", "record"]) == 2
    assert capsys.readouterr().err == ("ierun: error: --nlp record reads the annotations of JSON Lines records, "
                                       "and ierun test (examples are texts) has none: give --nlp NAME|PATH\n")
    assert main(["explain", str(RULES), "--text", "John Smith paid $5.", "--nlp", "record"]) == 2
    assert capsys.readouterr().err == ("ierun: error: --nlp record reads the annotations of JSON Lines records, "
                                       "and --text has none: give --nlp NAME|PATH\n")


def test_rules_that_use_no_annotations_run_as_before_with_a_note(tmp_path, capsys, pipe_dir):
    (tmp_path / "a.txt").write_text("John Smith paid $5 million.")
    assert main([str(RULES), str(tmp_path / "a.txt"), "-j", "1"]) == 0
    plain = capsys.readouterr().out
    assert main([str(RULES), str(tmp_path / "a.txt"), "--nlp", str(pipe_dir), "-j", "1"]) == 0
    assert capsys.readouterr() == (plain, f"ierun: note: the rules use no NLP annotations: --nlp {pipe_dir} is "
                                          f"not used\n")
    assert main([str(RULES), str(tmp_path / "a.txt"), "--nlp", str(pipe_dir), "-j", "1", "-q"]) == 0
    assert capsys.readouterr() == (plain, "")


# ---- what the rules need, against what was given --------------------------------------------------------
def test_the_annotator_reads_tokens_only_when_a_rule_does(pipe_dir):
    ann, _ = nlp_opts.annotator(str(pipe_dir), [SimpleNamespace(nlp_needs=needs())])
    assert (ann.spec, ann.tokens, ann.record) == (str(pipe_dir), False, False)
    assert ann.annotate_texts(["John Smith of Acme."]) == [Annotations((Entity(0, 10, "PERSON"),
                                                                        Entity(14, 18, "ORG")), ())]
    ann, _ = nlp_opts.annotator(str(pipe_dir), [SimpleNamespace(nlp_needs=None),
                                                SimpleNamespace(nlp_needs=needs(tokens=True, optional=True))])
    got = ann.annotate_texts(["John Smith."])[0]
    assert got.entities == (Entity(0, 10, "PERSON"),)
    assert [(t.start, t.end) for t in got.tokens] == [(0, 4), (5, 10), (10, 11)]


# ---- the pipeline over many documents -------------------------------------------------------------------
def test_texts_go_through_nlp_pipe_in_batches_and_a_failing_text_costs_only_itself():
    nlp = ruler_nlp()

    @spacy.Language.component("h17_boom")
    def boom(doc):
        if "BOOM" in doc.text:
            raise ValueError("cannot annotate this")
        return doc

    nlp.add_pipe("h17_boom")
    calls = []
    real_pipe = nlp.pipe
    nlp.pipe = lambda texts, **kw: calls.append(list(texts)) or real_pipe(calls[-1], **kw)
    ann = N.Annotator(nlp, tokens=False)
    texts = ["John Smith.", "Acme BOOM.", "Acme."]
    assert ann.annotate_texts(texts) == [
        Annotations((Entity(0, 10, "PERSON"),)),
        "the NLP pipeline failed on this document: ValueError: cannot annotate this",
        Annotations((Entity(0, 4, "ORG"),))]
    assert calls == [texts]  # one nlp.pipe call for the batch (which failed, so each text then ran alone)


def test_an_annotator_pickles_as_its_name_and_a_worker_loads_the_pipeline_once(pipe_dir):
    ann = N.Annotator(str(pipe_dir))
    ann.nlp  # loaded here
    data = pickle.dumps(ann)
    assert len(data) < 500  # the name, not the pipeline
    again = pickle.loads(data)
    assert again._nlp is None and again.nlp is N.load_pipeline(str(pipe_dir))


# ---- --nlp record: each record's "nlp" field ------------------------------------------------------------
def test_records_annotations_are_read_and_bad_ones_reported_at_file_line(tmp_path):
    text = "John Smith of Acme."
    good = {"text": text, "ents": [{"start": 0, "end": 10, "label": "PERSON"}],
            "tokens": [{"start": 0, "end": 4, "pos": "PROPN", "lemma": "John"}]}
    lines = [{"id": "a", "text": text, "nlp": good},
             {"id": "b", "text": text},
             {"id": "c", "text": text, "nlp": {"ents": [{"start": 0, "end": 99, "label": "PERSON"}]}},
             {"id": "d", "text": text, "nlp": []}]
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    got = list(read_inputs([str(path)], nlp_field="nlp"))
    assert got[0] == Document("a", text, None, Annotations((Entity(0, 10, "PERSON"),),
                                                           (Token(0, 4, "PROPN", "", "John"),)))
    assert got[1:] == [
        InputProblem(f"{path}:2", "record has no \"nlp\" field: --nlp record reads each document's annotations "
                                  "from it (spaCy's Doc.to_json())"),
        InputProblem(f"{path}:3", "\"nlp\": ents[0]: start and end must be offsets in the text (0 <= start <= "
                                  "end <= 19), got 0 and 99"),
        InputProblem(f"{path}:4", "\"nlp\": annotations must be an object, not list")]
    # without --nlp record the field is not read (and not kept)
    assert [d.annotations for d in read_inputs([str(path)])] == [None] * 4
    # when no rule tests tokens, the records' tokens are not read (their entities are, and checked)
    lines[0]["nlp"]["tokens"].append({"start": 0, "end": 99})
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    got = list(read_inputs([str(path)], nlp_field="nlp", nlp_tokens=False))
    assert got[0] == Document("a", text, None, Annotations((Entity(0, 10, "PERSON"),), ()))
    assert [str(p) for p in got[2:]] == [str(p) for p in list(read_inputs([str(path)], nlp_field="nlp"))[2:]]
    assert str(list(read_inputs([str(path)], nlp_field="nlp"))[0]).endswith("tokens[1]: start and end must be "
                                                                            "offsets in the text (0 <= start <= "
                                                                            "end <= 19), got 0 and 99")


def test_nlp_record_skips_nothing_silently_on_text_in_a_jsonl_run(tmp_path):
    (tmp_path / "a.txt").write_text("plain text")
    assert list(read_inputs([str(tmp_path / "a.txt")], nlp_field="nlp")) == [
        InputProblem(str(tmp_path / "a.txt"), "not a JSON Lines record: --nlp record has no annotations for it")]


# ---- the Python API -------------------------------------------------------------------------------------
def test_load_with_a_pipeline_name_that_cannot_load_raises_a_clear_error():
    import ierun
    with pytest.raises(N.NlpError) as info:
        ierun.load(str(RULES), nlp="xx_missing_sm")
    assert info.value.line() == ("error[E401]: --nlp xx_missing_sm: cannot load the NLP pipeline: no installed "
                                 "spaCy pipeline of that name (install it, e.g. python -m spacy download NAME)")


def test_annotations_given_to_the_api_are_checked_and_a_doc_is_read():
    plan = SimpleNamespace(nlp_needs=needs())
    doc = ruler_nlp()("John Smith.")
    assert N.annotations_for(plan, None, "John Smith.", doc).entities == (Entity(0, 10, "PERSON"),)
    with pytest.raises(N.AnnotationError, match="the spaCy Doc's text is not the text given"):
        N.annotations_for(plan, None, "Other text.", doc)
    assert N.annotations_for(plan, None, "John Smith.", doc.to_json()) == Annotations.from_spacy(doc)
    with pytest.raises(N.AnnotationError, match=r"ents\[0\]: start and end must be offsets in the text"):
        N.annotations_for(plan, None, "x", {"ents": [{"start": 0, "end": 5, "label": "PERSON"}]})
    with pytest.raises(TypeError, match="annotations= must be an ierun Annotations, a spaCy Doc or the dict of "
                                        "Doc.to_json\\(\\), not list"):
        N.annotations_for(plan, None, "x", [])
    assert N.annotations_for(plan, None, "John Smith.") is None  # the engine reports the missing pipeline
    assert N.annotations_for(SimpleNamespace(nlp_needs=None), ruler_nlp(), "John Smith.") is None
    assert N.annotations_for(plan, ruler_nlp(), "John Smith.") == Annotations((Entity(0, 10, "PERSON"),))
