"""Fuzzing the JSON Lines reader through the CLI: arbitrary bytes and arbitrary JSON values as records,
mixed with good records. The good records' facts are those of a clean run, every bad record is reported
once (in --errors), the exit code is 1, and nothing on standard error is a traceback."""
import contextlib
import io
import json
import tempfile
from pathlib import Path

from hypothesis import assume, given
from hypothesis import strategies as st

from ierun.cli import main

ROOT = Path(__file__).resolve().parent.parent
RULES = str(ROOT / "examples" / "rules")

GOOD = [{"id": f"g{i}", "text": text, "published": "2020-01-01"} for i, text in enumerate([
    "It paid $5 million.", "Revenue fell 3 percent to $1.2 billion in 2019.", "No figures here.",
    "Story.\n\nIt paid $7 million and 4 percent.", "\u00e9t\u00e9: $12 million, \u20ac3 million"])]


def _run(lines: list[bytes], folder: Path):
    corpus, errors = folder / "c.jsonl", folder / "e.jsonl"
    corpus.write_bytes(b"".join(line + b"\n" for line in lines))
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main([RULES, "--jsonl", str(corpus), "-j", "1", "-q", "--errors", str(errors)])
    recorded = [json.loads(x) for x in errors.read_text().splitlines()] if errors.exists() else []
    return code, stdout.getvalue(), recorded, stderr.getvalue(), str(corpus)


def _facts_by_doc():
    with tempfile.TemporaryDirectory() as d:
        code, out, _, _, _ = _run([json.dumps(r).encode() for r in GOOD], Path(d))
    assert code == 0
    facts = {r["id"]: "" for r in GOOD}
    for line in out.splitlines(keepends=True):
        facts[json.loads(line)["doc"]] += line
    assert sum(1 for v in facts.values() if v) >= 3  # the good records do find facts
    return facts


CLEAN = _facts_by_doc()


def _is_good(raw: bytes) -> bool:
    """What the reader must accept: UTF-8, a JSON object with a string text and a readable date, no lone
    surrogates."""
    try:
        rec = json.loads(raw.decode("utf-8"))
        if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
            return False
        rec["text"].encode("utf-8"), str(rec.get("id", "")).encode("utf-8")
        from ierun.cli.inputs import parse_published
        parse_published(rec.get("published"))
        return True
    except (ValueError, RecursionError):
        return False


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                         max_size=3), max_leaves=8)
surrogate = st.integers(0xD800, 0xDFFF).map(chr)
deep = st.integers(1, 30000).map(lambda n: '{"text": ' + "[" * n + "]" * n + "}")
bad_lines = st.one_of(
    st.binary(min_size=1, max_size=40).filter(lambda b: b"\n" not in b and b"\r" not in b),
    json_values.filter(lambda v: not isinstance(v, dict)).map(json.dumps),
    st.dictionaries(st.sampled_from(["id", "body", "published"]), json_values, max_size=3).map(json.dumps),
    json_values.filter(lambda v: not isinstance(v, str)).map(lambda v: json.dumps({"id": "x", "text": v})),
    st.tuples(st.text(max_size=8), surrogate, st.text(max_size=8)).map(
        lambda t: json.dumps({"id": "s", "text": "".join(t) + " $3 million"})),
    st.tuples(surrogate, st.sampled_from(GOOD)).map(lambda t: json.dumps({**t[1], "id": t[0]})),
    deep,
    st.tuples(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80abc"]), st.sampled_from(GOOD)).map(
        lambda t: json.dumps(t[1]).encode()[:-2] + t[0] + b'"}'),
).map(lambda v: v if isinstance(v, bytes) else v.encode("utf-8"))

lines = st.lists(st.one_of(st.sampled_from(GOOD).map(lambda r: ("good", r)), bad_lines.map(lambda b: ("bad", b))),
                 min_size=1, max_size=8)


@given(lines)
def test_bad_records_never_cost_a_good_records_facts(items):
    raw = [json.dumps(v).encode() if kind == "good" else v for kind, v in items]
    bad = [n for n, (kind, v) in enumerate(items, 1) if kind == "bad"]
    assume(bad and all(raw[n - 1].strip() and not _is_good(raw[n - 1]) for n in bad))
    with tempfile.TemporaryDirectory() as d:
        code, out, recorded, err, corpus = _run(raw, Path(d))
    assert "Traceback" not in err and "Error:" not in err.replace("error:", "")
    assert code == 1
    assert out == "".join(CLEAN[v["id"]] for kind, v in items if kind == "good")
    assert [r["doc"] for r in recorded] == [f"{corpus}:{n}" for n in bad]  # each bad record once, in order
    assert all(r["stage"] == "input" and r["message"].startswith(f"{corpus}:") for r in recorded)
    assert err.count("ierun: error: ") == len(bad)
