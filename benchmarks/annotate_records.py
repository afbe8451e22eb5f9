"""Annotate a JSON Lines corpus for `ierun --nlp record`: each record gets "nlp", spaCy's Doc.to_json() of its
text, from any spaCy (2 or 3) in any Python; prints the annotating speed (documents/s and MB/s, CPU seconds
of this process: the machine is shared). Needs only spaCy and the model, not ierun, so it runs in a side
venv (here /work/sp2venv: spaCy 2.3.9 and en_core_web_sm 2.2.5, the only English model installable).

Usage: /work/sp2venv/bin/python benchmarks/annotate_records.py IN.jsonl OUT.jsonl [--model en_core_web_sm]
       [--docs 1000] [--text-field text]"""
import argparse
import importlib
import json
import sys
import time


def load(model: str):
    import spacy
    try:
        return spacy.load(model)
    except OSError:  # a package that spacy.load does not find by name (e.g. a mirror): import it
        return importlib.import_module(model).load()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--model", default="en_core_web_sm")
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--text-field", default="text")
    ap.add_argument("--batch", type=int, default=64)
    a = ap.parse_args()
    import spacy
    nlp = load(a.model)
    recs = []
    with open(a.input, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                recs.append(json.loads(line))
            if len(recs) >= a.docs:
                break
    texts = [r[a.text_field] for r in recs]
    cpu, wall = time.process_time(), time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=a.batch))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    with open(a.output, "w", encoding="utf-8") as out:
        for r, d in zip(recs, docs):
            out.write(json.dumps(dict(r, nlp=d.to_json()), ensure_ascii=False) + "\n")
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"spaCy {spacy.__version__}, {a.model}: {len(texts)} documents, {mb:.2f} MB of text in {cpu:.2f} s CPU "
          f"({wall:.2f} s wall): {len(texts) / cpu:.1f} docs/s, {mb / cpu:.3f} MB/s")


if __name__ == "__main__":
    sys.exit(main())
