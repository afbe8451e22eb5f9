"""`--format html` without a browser: the marked-up text gives back the document exactly, tags nest, every
fact has one first piece, text is escaped, pages split, failures reported. The browser tests are in
tests/test_html_browser.py."""
from __future__ import annotations

import html
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from ierun.cli import main
from ierun.cli.html_view import mark_up, page_name, render_page, Page, PageDoc, run_html

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "seed" / "menafn-kz-uk.txt"

RULES = """fact Pair { left: str  right: str }
fact Cross { word: str }
fact Inner { word: str }
rule t.pair -> Pair {
    match l:"alpha" r:"beta"
    left = l
    right = r
}
rule t.cross -> Cross {
    match w:"beta" "gamma"
    word = w
}
rule t.inner -> Inner {
    match w:"alpha"
    word = w
}
"""
NASTY = 'one alpha beta gamma two <script>document.title="pwned"</script> </mark> & alpha\n'


class _Tree(HTMLParser):
    """Checks that tags nest and collects the text and the pieces of each fact."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.text, self.pieces, self.firsts = [], [], {}, {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.stack.append(tag)
        if tag == "mark":
            self.pieces[a["data-f"]] = self.pieces.get(a["data-f"], 0) + 1
            if "first" in a["class"].split():
                self.firsts[a["data-f"]] = self.firsts.get(a["data-f"], 0) + 1

    def handle_endtag(self, tag):
        assert self.stack.pop() == tag

    def handle_data(self, data):
        self.text.append(data)


def _parse(markup):
    t = _Tree()
    t.feed(markup)
    t.close()
    assert t.stack == []
    return t


def _fact(start, end, type_="A", spans=None):
    return {"type": type_, "rule": "r", "start": start, "end": end, "text": "", "fields": {},
            "field_spans": spans or {}}


@st.composite
def texts_and_facts(draw):
    text = draw(st.text(alphabet="ab <>&\"'\n", max_size=30))
    n = len(text)
    facts = []
    for _ in range(draw(st.integers(0, 6))):
        s = draw(st.integers(0, n))
        e = draw(st.integers(s, n))
        fs = draw(st.integers(s, e))
        fe = draw(st.integers(fs, e))
        facts.append(_fact(s, e, draw(st.sampled_from("AB")), {"x": [fs, fe], "y": None}))
    return text, facts


@given(texts_and_facts())
def test_the_marked_up_text_is_the_document_and_every_fact_has_one_first_piece(case):
    text, facts = case
    tree = _parse(mark_up(text, facts, 0, {"A": "t0", "B": "t1"}))
    assert "".join(tree.text) == text
    assert tree.firsts == {str(k): 1 for k in range(len(facts))}
    assert set(tree.pieces) == {str(k) for k in range(len(facts))}


def test_nested_and_crossing_facts():
    facts = [_fact(4, 14, "Pair", {"left": [4, 9], "right": [10, 14]}), _fact(4, 9, "Inner"), _fact(10, 20, "Cross")]
    out = mark_up(NASTY[:24], facts, 0, {"Pair": "t0", "Inner": "t1", "Cross": "t2"})
    assert out == ('one <mark class="f t0 first" data-f="0" data-t="Pair"><mark class="f t1 first" data-f="1" '
                   'data-t="Inner"><span class="fs t0" data-f="0" data-k="left">alpha</span></mark> '
                   '<mark class="f t2 first" data-f="2" data-t="Cross"><span class="fs t0" data-f="0" data-k="right">'
                   'beta</span></mark></mark><mark class="f t2" data-f="2" data-t="Cross"> gamma</mark> two')


def test_an_empty_fact_is_shown_where_it_stands():
    out = mark_up("ab", [_fact(1, 1)], 7, {"A": "t0"})
    assert out == 'a<mark class="f t0 first empty" data-f="7" data-t="A"></mark>b'


def test_document_text_and_ids_are_escaped():
    page = Page()
    page.add(PageDoc('<img src=x onerror="alert(1)">', NASTY, [_fact(0, 9, "A")]))
    out = render_page(page, ["A"], {"r": "x.ie:3"})
    assert '<script>document.title' not in out and "<img" not in out
    assert "&lt;script&gt;document.title=\"pwned\"&lt;/script&gt; &lt;/mark&gt; &amp;" in out
    data = re.search(r'<script type="application/json" id="ierun-facts">(.*?)</script>', out, re.S).group(1)
    assert "<" not in data and json.loads(data)[0]["loc"] == "x.ie:3"
    assert json.loads(data)[0]["doc"] == '<img src=x onerror="alert(1)">'


def test_page_names():
    assert [page_name("out/facts.html", n) for n in (1, 2, 3)] == ["out/facts.html", "out/facts-2.html",
                                                                    "out/facts-3.html"]


def test_the_seed_page_from_the_command_line(tmp_path, capsys):
    out = tmp_path / "facts.html"
    assert main([str(ROOT / "rules"), str(SEED), "--format", "html", "-o", str(out), "--jobs", "1"]) == 0
    page = out.read_text(encoding="utf-8")
    jsonl = [json.loads(line) for line in _run_jsonl(capsys, [str(ROOT / "rules"), str(SEED), "--jobs", "1"])]
    tree = _parse(re.search(r'<pre class="text">.*?</pre>', page, re.S).group(0))
    assert "".join(tree.text) == SEED.read_text(encoding="utf-8")
    assert tree.firsts == {str(k): 1 for k in range(len(jsonl))} and len(jsonl) >= 9
    data = json.loads(re.search(r'id="ierun-facts">(.*?)</script>', page, re.S).group(1))
    assert [{k: v for k, v in d.items() if k not in ("loc", "field_texts")} for d in data] == jsonl
    assert data[0]["loc"] == f"{ROOT / 'rules' / 'dateline' / 'dateline.ie'}:{_line_of('dateline.agency_first')}"
    title = next(d for d in data if d["type"] == "Title")
    assert title["field_texts"] == {"person": "Roman Vasilenko", "role": "Deputy\nMinister of Foreign Affairs",
                                    "organization": "Kazakhstan"}
    assert "http" not in page.replace("http-equiv", "")  # nothing fetched from a network


def _line_of(rule):
    path = ROOT / "rules" / "dateline" / "dateline.ie"
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if f"rule {rule} " in line)


def _run_jsonl(capsys, argv):
    capsys.readouterr()
    assert main(argv) == 0
    return capsys.readouterr().out.splitlines()


def test_html_on_standard_output(capsys):
    assert main([str(ROOT / "rules"), str(SEED), "--format", "html", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<!DOCTYPE html>") and out.endswith("</html>\n") and out.count('<section class="doc"') == 1


def _corpus(tmp_path, n):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"d{i}", "text": f"alpha beta gamma {i}"}) + "\n" for i in range(n)))
    rules = tmp_path / "t.ie"
    rules.write_text(RULES)
    return rules, corpus


def _opts(output=None, **kw):
    from ierun.cli.runner import RunOptions
    return RunOptions(output, "html", **kw)


def test_a_corpus_is_written_one_page_per_n_documents(tmp_path):
    import ierun
    rules_path, corpus = _corpus(tmp_path, 5)
    rules = ierun.load(str(rules_path), use_cache=False)
    from ierun.cli.inputs import JsonlFields, read_inputs
    docs = read_inputs([str(corpus)], True, JsonlFields(), "utf-8", None, [], [], 1 << 20)
    err = io.StringIO()
    out = tmp_path / "facts.html"
    assert run_html(rules.extractor, docs, _opts(str(out)), rules.plan, stderr=err, docs_per_page=2) == 0
    names = ["facts.html", "facts-2.html", "facts-3.html"]
    assert sorted(p.name for p in tmp_path.glob("*.html")) == sorted(names)
    assert err.getvalue() == f"ierun: wrote 3 HTML pages: {out} ... {tmp_path / 'facts-3.html'}\n"
    pages = [(tmp_path / n).read_text() for n in names]
    assert [p.count('<section class="doc"') for p in pages] == [2, 2, 1]
    assert '<a href="facts-2.html">next page</a>' in pages[0]
    assert '<a href="facts.html">page 1</a><span>page 2</span><a href="facts-3.html">next page</a>' in pages[1]
    assert '<a href="facts.html">page 1</a><a href="facts-2.html">page 2</a><span>page 3</span></nav>' in pages[2]
    assert '<td><a href="#d0">d4</a></td><td>3</td>' in pages[2]  # the index: Pair, Inner, Cross
    # the first page, written last, indexes the pages
    assert ('<tr><td><a href="facts-2.html">page 2</a></td><td>2</td><td>d2</td><td>d3</td><td>6</td><td>2</td>'
            '<td>2</td><td>2</td></tr>') in pages[0]  # Cross, Inner, Pair
    assert "<h2>Pages</h2>" not in pages[1] + pages[2]


def test_standard_output_refuses_more_than_one_page(tmp_path):
    import ierun
    from ierun.cli.inputs import JsonlFields, read_inputs
    rules_path, corpus = _corpus(tmp_path, 3)
    rules = ierun.load(str(rules_path), use_cache=False)
    docs = read_inputs([str(corpus)], True, JsonlFields(), "utf-8", None, [], [], 1 << 20)
    out, err = io.StringIO(), io.StringIO()
    assert run_html(rules.extractor, docs, _opts(), rules.plan, stdout=out, stderr=err, docs_per_page=2) == 2
    assert out.getvalue() == ""
    assert err.getvalue() == ("ierun: error: an HTML page holds 2 documents (8 MiB of text); this input has more: "
                              "give -o FILE.html to write one page per 2 documents (FILE.html, FILE-2.html, ...)\n")


def test_a_bad_input_is_reported_and_shown_and_the_others_written(tmp_path, capsys):
    rules_path, _ = _corpus(tmp_path, 0)
    good = tmp_path / "good.txt"
    good.write_text("alpha beta\n")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"caf\xe9 alpha\n")
    out = tmp_path / "facts.html"
    assert main([str(rules_path), str(bad), str(good), "--format", "html", "-o", str(out), "--jobs", "1"]) == 1
    err = capsys.readouterr().err
    assert f"{bad}" in err and err.endswith("ierun: 1 input failed; the others were processed\n")
    page = out.read_text()
    assert '<div class="problems">' + html.escape(err.splitlines()[0].removeprefix("ierun: error: ")) in page
    assert page.count('<section class="doc"') == 1 and html.escape(str(good)) in page


def test_explain_matches_with_html_prints_what_it_prints_with_json_lines(capsys):
    argv = [str(ROOT / "examples" / "rules"), str(SEED), "--explain", "matches", "--jobs", "1"]
    assert main(argv) == 0
    trace = capsys.readouterr().err
    assert trace.startswith(f"--- matches in {SEED}\n") and "kept    money." in trace
    assert main(argv + ["--format", "html"]) == 0
    assert capsys.readouterr().err == trace


def test_resume_is_refused_with_html(tmp_path, capsys):
    rules_path, corpus = _corpus(tmp_path, 1)
    out = tmp_path / "facts.html"
    assert main([str(rules_path), str(corpus), "--format", "html", "-o", str(out), "--resume"]) == 2
    assert capsys.readouterr().err == "ierun: error: --resume is for JSON Lines and table output, not --format html\n"
    assert not out.exists()
