"""What an NLP pipeline costs: the rule pack over N articles without a pipeline, and the pack plus rules that
use NLP entities with one (the texts through `nlp.pipe` in batches, as `ierun --nlp NAME --jobs 1` does):
documents/s and MB/s of each and their ratio, median of several runs, in CPU seconds of this process
(`time.process_time`: the machine is shared) with the wall time beside it.

Pipelines: spaCy's blank English with an EntityRuler (always: no download), and a real model when
`--model NAME` names an installed spaCy 3 pipeline. `--record FILE` also measures `--nlp record`: a JSON Lines
corpus whose records carry Doc.to_json() in "nlp" (e.g. written by spaCy 2's en_core_web_sm in another venv),
read into Annotations and run; `--side-python PY` writes that corpus first with PY (a venv with spaCy and
--side-model: benchmarks/annotate_spacy.py, run once) and adds its annotating CPU time to the total.

Usage: python benchmarks/nlp_cost.py [--docs 1000] [--runs 5] [--model en_core_web_sm] [--record FILE]
       [--side-python /work/sp2venv/bin/python [--side-model en_core_web_sm]] [--rules rules] [--ner-rules rules/title-ner] [--corpus /work/shared/eval/reuters1987-dev.jsonl]"""
import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, machine

import ierun
from ierun.annotations import Annotations
from ierun.cli.inputs import parse_published
from ierun.nlp import Annotator

CORPUS = Path("/work/shared/eval/reuters1987-dev.jsonl")
if not CORPUS.exists():
    CORPUS = ROOT.parent / "shared" / "eval" / "reuters1987-dev.jsonl"

# rules that use the pipeline's entities, when no --ner-rules folder is given (or rules/title-ner is absent)
NER_RULES = '''uses nlp entities PERSON, ORG

fact Said {
    person: str
}

rule said.person_said -> Said {
    match p:<PERSON> ("said" | "told" | "says")
    person = p.text
    example "John Smith said" { person: "John Smith" }
    counter "nobody said"
}
'''


def ruler_pipeline():
    """spaCy's blank English and an EntityRuler: two or three capitalized words are a PERSON (a crude NER
    of about the cost of a rule-based one), a capitalized word before Inc/Corp/Co an ORG."""
    import spacy
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    title = {"IS_TITLE": True, "IS_SENT_START": False}
    ruler.add_patterns([{"label": "PERSON", "pattern": [title, title, dict(title, OP="?")]},
                        {"label": "ORG", "pattern": [{"IS_TITLE": True, "OP": "+"},
                                                     {"LOWER": {"IN": ["inc", "corp", "co", "ltd"]}}]}])
    return nlp


def timed(fn, runs):
    """Median CPU and wall seconds of `runs` runs, each one a first pass over its documents: `regex`'s cache of
    compiled patterns is emptied before it (a rule compiled for each document would be found there again)."""
    import regex
    cpu, wall = [], []
    for _ in range(runs):
        regex.purge()
        c, w = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return statistics.median(cpu), statistics.median(wall)


def read(path, n):
    docs = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            docs.append(json.loads(line))
            if len(docs) >= n:
                break
    return docs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--model", help="an installed spaCy 3 pipeline to measure too (e.g. en_core_web_sm)")
    ap.add_argument("--record", help="a JSON Lines corpus with Doc.to_json() in each record's \"nlp\"")
    ap.add_argument("--side-python", help="a Python with spaCy and --side-model (e.g. /work/sp2venv/bin/python): "
                    "it annotates the same articles (benchmarks/annotate_spacy.py, once), then --nlp record runs")
    ap.add_argument("--side-model", default="en_core_web_sm")
    ap.add_argument("--rules", default=str(ROOT / "rules"))
    ap.add_argument("--ner-rules", default=str(ROOT / "rules" / "title-ner"))
    ap.add_argument("--corpus", default=str(CORPUS))
    a = ap.parse_args()
    docs = read(a.corpus, a.docs)
    texts = [d["text"] for d in docs]
    pubs = [parse_published(d.get("published")) for d in docs]
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    tmp = tempfile.TemporaryDirectory()
    ner = Path(a.ner_rules)
    if not ner.exists():
        ner = Path(tmp.name) / "ner.ie"
        ner.write_text(NER_RULES)
    pack = ierun.load(a.rules)
    with_ner = ierun.load(a.rules, str(ner))
    print(f"machine: {machine()}")
    print(f"corpus: {a.corpus}, first {len(docs)} articles, {mb:.2f} MB of text; rules: {a.rules} "
          f"(+ {ner if ner.parent != Path(tmp.name) else 'a one-rule file of PERSON entities'} with a pipeline)")
    print(f"CPU seconds of this process, median of {a.runs} runs (wall seconds in brackets)")

    def plain():
        for t, p in zip(texts, pubs):
            pack.extractor.run(t, p)

    base, base_wall = timed(plain, a.runs)
    line = "{:<44} {:8.1f} docs/s {:6.3f} MB/s  ({:.2f} s CPU, {:.2f} s wall){}"
    print(line.format("the pack, no pipeline", len(docs) / base, mb / base, base, base_wall, ""))

    def measure(label, nlp):
        ann = Annotator(nlp, tokens=bool(with_ner.plan.nlp_needs.tokens))

        def run():
            for i in range(0, len(texts), 64):
                found = ann.annotate_texts(texts[i:i + 64])
                for t, p, x in zip(texts[i:i + 64], pubs[i:i + 64], found):
                    with_ner.extractor.run(t, p, annotations=x)

        def pipe_only():
            for i in range(0, len(texts), 64):
                ann.annotate_texts(texts[i:i + 64])

        cpu, wall = timed(run, a.runs)
        only, _ = timed(pipe_only, a.runs)
        print(line.format(label, len(docs) / cpu, mb / cpu, cpu, wall,
                          f"  x{cpu / base:.1f} the pack's time; the pipeline alone {only:.2f} s"))

    measure("+ NER rules, blank English + EntityRuler", ruler_pipeline())
    if a.model:
        import spacy
        measure(f"+ NER rules, {a.model}", spacy.load(a.model))
    side_cpu = None
    if a.side_python:
        import re
        import subprocess
        a.record = str(Path(tmp.name) / "annotated.jsonl")
        done = subprocess.run([a.side_python, "-W", "ignore", str(Path(__file__).with_name("annotate_spacy.py")),
                               a.side_model, a.corpus, a.record, "--limit", str(a.docs)],
                              capture_output=True, text=True, check=True)
        print("side venv:", done.stderr.strip().splitlines()[-1])
        side_cpu = float(re.search(r"([0-9.]+) s CPU", done.stderr.strip().splitlines()[-1]).group(1))
    if a.record:
        recs = read(a.record, a.docs)

        tokens = with_ner.extractor.plan.nlp_needs.tokens  # tokens are read only for rules that test them

        def from_records():
            for r in recs:
                x = Annotations.from_json(r["nlp"], r["text"], tokens)  # as the CLI reads them
                with_ner.extractor.run(r["text"], parse_published(r.get("published")), annotations=x)

        rmb = sum(len(r["text"].encode("utf-8")) for r in recs) / 1e6
        cpu, wall = timed(from_records, a.runs)
        print(line.format(f"+ NER rules, --nlp record ({len(recs)} records)", len(recs) / cpu, rmb / cpu, cpu,
                          wall, "  (reading the annotations included; the annotating itself was done before)"))
        if side_cpu is not None:
            total = side_cpu + cpu
            print("{:<44} {:8.1f} docs/s {:6.3f} MB/s  ({:.2f} s CPU)  x{:.1f} the pack's time".format(
                f"  annotating ({a.side_model}) + that", len(recs) / total, rmb / total, total, total / base))
    tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
