"""The HTML view in a real browser: headless Chromium (Debian's `chromium`, which .ci/run installs) loads the
page written by `ierun ... --format html`, with a test script appended to a copy of it that hovers and clicks
every fact, unticks a filter and writes what it saw into the DOM; `--dump-dom` prints the DOM after the
scripts ran. A screenshot is saved in the test's temporary folder. Nothing is written outside tmp_path (the
browser's profile, cache and home are there too) and nothing is fetched from a network."""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ierun.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "seed" / "menafn-kz-uk.txt"
from test_html_view import NASTY, RULES  # the same rules and hostile document as the page tests


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    return None


CHROMIUM = _chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed and could not be installed here (.ci/run installs "
    "Debian's `chromium` when apt-get can; by hand: apt-get install chromium)")

# Appended to a copy of the page: for every fact, how many pieces and first pieces it has, what the panel shows
# on hover; then a click pins a fact (a hover elsewhere does not replace it); then the first type's checkbox is
# unticked. The results go into <pre id="test-results"> as JSON.
PROBE = r"""<script>
(function () {
  var FACTS = JSON.parse(document.getElementById("ierun-facts").textContent);
  var out = {facts: [], texts: [], title: document.title};
  document.querySelectorAll("pre.text").forEach(function (p) { out.texts.push(p.textContent); });
  function panel() {
    var dl = document.querySelector("#panel-body dl.fact"), r = {f: dl ? dl.dataset.f : null, dl: {}, fields: {}};
    if (dl) dl.querySelectorAll("dt").forEach(function (dt) { r.dl[dt.textContent] = dt.nextElementSibling.textContent; });
    document.querySelectorAll("#panel-body tr[data-field]").forEach(function (tr) {
      r.fields[tr.dataset.field] = Array.prototype.map.call(tr.querySelectorAll("td"), function (td) { return td.textContent; });
    });
    return r;
  }
  FACTS.forEach(function (f, id) {
    var pieces = document.querySelectorAll('mark.f[data-f="' + id + '"]');
    var firsts = document.querySelectorAll('mark.f.first[data-f="' + id + '"]');
    firsts[0].dispatchEvent(new MouseEvent("mouseover", {bubbles: true}));
    var lit = document.querySelectorAll('mark.f.hl[data-f="' + id + '"]').length;
    out.facts.push({id: id, pieces: pieces.length, firsts: firsts.length, lit: lit, colour: getComputedStyle(firsts[0]).borderBottomColor,
                    panel: panel()});
  });
  var marks = document.querySelectorAll("mark.f.first");
  marks[0].dispatchEvent(new MouseEvent("click", {bubbles: true}));
  marks[marks.length - 1].dispatchEvent(new MouseEvent("mouseover", {bubbles: true}));
  out.pinned = panel().f;
  var box = document.querySelector("input[data-type]");
  box.checked = false; box.dispatchEvent(new Event("change"));
  out.unticked = box.dataset.type;
  out.off = Array.prototype.map.call(document.querySelectorAll("mark.f.off"), function (m) { return m.dataset.t; });
  var pre = document.createElement("pre"); pre.id = "test-results"; pre.textContent = JSON.stringify(out);
  document.body.append(pre);
})();
</script>"""


@pytest.fixture
def short_tmp(tmp_path_factory):
    """The browser's temporary folder: it puts a socket there, whose path must stay under 108 characters, so
    a short folder of pytest's temporary area (beside tmp_path) rather than one named after the test."""
    return tmp_path_factory.mktemp("cr")


def _browse(tmp_path: Path, short: Path, page: Path, *args: str) -> str:
    env = dict(os.environ, HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "home"),
               XDG_CACHE_HOME=str(tmp_path / "home"), XDG_RUNTIME_DIR=str(short), TMPDIR=str(short))
    (tmp_path / "home").mkdir(exist_ok=True)
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-breakpad",
           "--disable-extensions", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--no-default-browser-check", "--proxy-server=127.0.0.1:9",
           f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1400,1000", "--virtual-time-budget=2000",
           *args, page.as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=90, env=env, cwd=tmp_path,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _page(tmp_path, rules, inputs) -> Path:
    out = tmp_path / "facts.html"
    assert main([*map(str, rules), *map(str, inputs), "--format", "html", "-o", str(out), "--jobs", "1"]) == 0
    return out


def _probe(tmp_path, short, page: Path) -> dict:
    probed = tmp_path / "probed.html"
    probed.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = _browse(tmp_path, short, probed, "--dump-dom")
    m = re.search(r'<pre id="test-results">(.*?)</pre>', dom, re.S)
    assert m, dom[-2000:]
    return json.loads(html.unescape(m.group(1)))


def _jsonl(capsys, argv):
    capsys.readouterr()
    assert main([*map(str, argv), "--jobs", "1"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_the_seed_page_in_chromium(tmp_path, short_tmp, capsys):
    page = _page(tmp_path, [ROOT / "rules"], [SEED])
    facts = _jsonl(capsys, [ROOT / "rules", SEED])
    seen = _probe(tmp_path, short_tmp, page)
    assert seen["texts"] == [SEED.read_text(encoding="utf-8")]
    assert len(seen["facts"]) == len(facts) >= 9
    colours = {}
    for fact, s in zip(facts, seen["facts"]):
        assert (s["pieces"], s["firsts"], s["lit"]) == (1, 1, 1)  # highlighted once, lit up on hover
        assert colours.setdefault(fact["type"], s["colour"]) == s["colour"]  # one colour per type
        p = s["panel"]
        assert p["f"] == str(s["id"])
        assert p["dl"]["type"] == fact["type"] and p["dl"]["rule"] == fact["rule"] and p["dl"]["text"] == fact["text"]
        assert re.fullmatch(r".*/rules/\w+/\w+\.ie:\d+", p["dl"]["defined at"])
        assert p["dl"]["span"] == f"{fact['start']}\u2013{fact['end']}"
        assert set(p["fields"]) == set(fact["fields"])
        for k, v in fact["fields"].items():
            span = fact["field_spans"][k]
            text = SEED.read_text(encoding="utf-8")
            assert p["fields"][k] == [k, "null" if v is None else str(v),
                                      f"{span[0]}\u2013{span[1]}" if span else "\u2014",
                                      text[span[0]:span[1]] if span else ""]
    assert len(set(colours.values())) == len(colours)
    title = next(s for f, s in zip(facts, seen["facts"]) if f["type"] == "Title")
    assert title["panel"]["fields"]["person"] == ["person", "Roman Vasilenko", "327\u2013342", "Roman Vasilenko"]
    assert seen["pinned"] == "0"  # clicked: a hover elsewhere leaves the panel on the pinned fact
    assert seen["unticked"] == "Dateline" and seen["off"] == ["Dateline"]


def test_escaping_nesting_and_crossing_in_chromium(tmp_path, short_tmp, capsys):
    rules = tmp_path / "t.ie"
    rules.write_text(RULES)
    doc = tmp_path / "nasty.txt"
    doc.write_text(NASTY)
    page = _page(tmp_path, [rules], [doc])
    seen = _probe(tmp_path, short_tmp, page)
    assert seen["title"] == "ierun facts"  # the document's <script> did not run
    assert seen["texts"] == [NASTY]  # `<script>` and `</mark>` shown as text
    facts = _jsonl(capsys, [rules, doc])
    assert [f["type"] for f in facts] == ["Pair", "Inner", "Cross", "Inner"]
    assert [(s["pieces"], s["firsts"]) for s in seen["facts"]] == [(1, 1), (1, 1), (2, 1), (1, 1)]
    assert seen["facts"][2]["lit"] == 2  # both pieces of the crossing fact light up
    assert seen["facts"][0]["panel"]["fields"] == {"left": ["left", "alpha", "4\u20139", "alpha"],
                                                   "right": ["right", "beta", "10\u201314", "beta"]}


def test_a_screenshot_of_the_seed_page(tmp_path, short_tmp):
    page = _page(tmp_path, [ROOT / "rules"], [SEED])
    shot = tmp_path / "seed.png"
    _browse(tmp_path, short_tmp, page, f"--screenshot={shot}")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1400, 1000)
