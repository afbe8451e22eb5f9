"""`--format html`: the facts shown on the documents' text, one self-contained page (style and script inline,
no network) per `DOCS_PER_PAGE` documents.

Each document's text is written escaped, with every fact a `<mark class="f">` (one colour per fact type, a
legend) and the spans of its fields `<span class="fs">` inside it. Nested facts nest; a fact that crosses
another one (starts inside it and ends after it) is split into pieces that carry the same `data-f`, the
first of them with the class `first`: the text of a document is exactly the text content of its
`<pre class="text">`. Hovering a fact shows its type, rule (file:line where the rule is defined), fields and
field spans in a panel, a click pins it; checkboxes hide facts by type and by rule; an index lists the page's
documents with their fact counts. The facts come from the JSON Lines contract (the same dicts as `jsonl`).
"""
from __future__ import annotations

import html
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .html_assets import CSS, JS, PALETTE

DOCS_PER_PAGE = 100               # documents on one page
PAGE_BYTES = 8 * 1024 * 1024      # a page is closed past this much text (a single larger document: a warning)


def _esc(s) -> str:
    return html.escape(str(s), quote=True)


def _script_json(data) -> str:
    """JSON that can sit inside <script>: no `</script>`, `<!--` or `&` in it (escaped as JSON \\u escapes)."""
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def mark_up(text: str, facts: list[dict], first_id: int, type_class: dict[str, str]) -> str:
    """The text, escaped, with the facts (dicts of the JSON Lines contract) and their field spans marked; fact
    k is `data-f="first_id + k"`."""
    items = []  # (start, end, kind, k, field name): kind 0 a fact, 1 a field span inside it
    for k, f in enumerate(facts):
        items.append((f["start"], f["end"], 0, k, ""))
        for name, span in f["field_spans"].items():
            if span:
                s, e = max(span[0], f["start"]), min(span[1], f["end"])
                if s < e:
                    items.append((s, e, 1, k, name))

    def key(it):  # outer first: earlier start, then longer, then the fact before its fields
        return (it[0], -it[1], it[2], it[3], it[4])

    def open_tag(it, first: bool) -> str:
        f = facts[it[3]]
        fid = first_id + it[3]
        if it[2] == 1:
            return f'<span class="fs {type_class[f["type"]]}" data-f="{fid}" data-k="{_esc(it[4])}">'
        cls = "f " + type_class[f["type"]] + (" first" if first else "") + (" empty" if it[0] == it[1] else "")
        return f'<mark class="{cls}" data-f="{fid}" data-t="{_esc(f["type"])}">'

    def close_tag(it) -> str:
        return "</span>" if it[2] == 1 else "</mark>"

    bounds = sorted({0, len(text)} | {it[0] for it in items} | {it[1] for it in items})
    starts: dict[int, list] = {}
    for it in items:
        starts.setdefault(it[0], []).append(it)
    out: list[str] = []
    stack: list = []
    active: list = []
    opened: set = set()
    for i, pos in enumerate(bounds):
        active = [it for it in active if it[1] > pos]
        for it in sorted(starts.get(pos, ()), key=key):
            if it[1] == pos:  # an empty fact: shown where it stands
                keep = _common(stack, active)
                out.extend(close_tag(x) for x in reversed(stack[keep:]))
                stack = stack[:keep]
                out.append(open_tag(it, True) + close_tag(it))
            else:
                active.append(it)
        if i + 1 == len(bounds):
            break
        active.sort(key=key)
        keep = _common(stack, active)
        out.extend(close_tag(x) for x in reversed(stack[keep:]))
        for it in active[keep:]:
            out.append(open_tag(it, it not in opened))
            opened.add(it)
        stack = list(active)
        out.append(html.escape(text[pos:bounds[i + 1]], quote=False))
    out.extend(close_tag(x) for x in reversed(stack))
    return "".join(out)


def _common(a: list, b: list) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n


@dataclass
class PageDoc:
    doc_id: str
    text: str
    facts: list[dict]


@dataclass
class PageSummary:
    name: str      # the page's file name
    docs: int
    first: str     # the first and last document's ids
    last: str
    facts: Counter


@dataclass
class Page:
    docs: list[PageDoc] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    size: int = 0

    def add(self, doc: PageDoc) -> None:
        self.docs.append(doc)
        self.size += len(doc.text) + sum(len(f["text"]) + 200 for f in doc.facts)


def render_page(page: Page, types: list[str], rule_locs: dict[str, str], number: int = 1,
                page_names: list[str] = (), has_next: bool = False, title: str = "ierun facts",
                summary: list[PageSummary] | None = None) -> str:
    """One self-contained HTML page. `types`: the rule set's fact types (their colours); `rule_locs`: rule
    name -> "file:line"; `page_names`: the file names of all pages written so far, this one included;
    `summary`: for the first page of several, every page's documents and fact counts (the corpus index)."""
    seen = sorted({f["type"] for d in page.docs for f in d.facts} - set(types))
    all_types = list(types) + seen
    type_class = {t: f"t{i}" for i, t in enumerate(all_types)}
    facts_data, body = [], []
    for d in page.docs:
        for f in d.facts:
            texts = {k: d.text[s[0]:s[1]] for k, s in f["field_spans"].items() if s}
            facts_data.append(dict(f, doc=d.doc_id, loc=rule_locs.get(f["rule"], ""), field_texts=texts))
    counts = [Counter(f["type"] for f in d.facts) for d in page.docs]
    used = [t for t in all_types if any(c[t] for c in counts)]
    first = 0
    for n, d in enumerate(page.docs):
        body.append(f'<section class="doc" id="d{n}"><h2>{_esc(d.doc_id)} <small>({len(d.facts)} facts)</small></h2>'
                    f'<pre class="text">{mark_up(d.text, d.facts, first, type_class)}</pre></section>')
        first += len(d.facts)
    style = "".join(f".t{i}{{--c:{PALETTE[i % len(PALETTE)]}}}" for i in range(len(all_types)))
    legend = "".join(f'<label class="{type_class[t]}"><input type="checkbox" checked data-type="{_esc(t)}">'
                     f'<span class="swatch"></span>{_esc(t)} ({sum(c[t] for c in counts)})</label>' for t in all_types)
    rules = Counter(f["rule"] for d in page.docs for f in d.facts)
    rule_boxes = "".join(f'<label><input type="checkbox" checked data-rule="{_esc(r)}"> {_esc(r)} ({rules[r]}) '
                         f'<span class="hint">{_esc(rule_locs.get(r, ""))}</span></label>' for r in sorted(rules))
    head = "".join(f"<th>{_esc(t)}</th>" for t in used)
    rows = "".join(f'<tr><td><a href="#d{n}">{_esc(d.doc_id)}</a></td><td>{len(d.facts)}</td>'
                   + "".join(f"<td>{c[t] or ''}</td>" for t in used) + "</tr>"
                   for n, (d, c) in enumerate(zip(page.docs, counts)))
    nav = ""
    if len(page_names) > 1 or has_next:
        links = [f'<a href="{_esc(name)}">page {i + 1}</a>' if i + 1 != number else f"<span>page {number}</span>"
                 for i, name in enumerate(page_names)]
        if has_next:
            links.append(f'<a href="{_esc(_page_name_after(page_names))}">next page</a>')
        nav = f'<nav class="pages">{"".join(links)}</nav>'
    if summary:
        stypes = [t for t in all_types if any(p.facts[t] for p in summary)]
        nav += ('<h2>Pages</h2><table class="index pages"><tr><th>page</th><th>documents</th><th>first</th><th>last</th>'
                "<th>facts</th>" + "".join(f"<th>{_esc(t)}</th>" for t in stypes) + "</tr>"
                + "".join(f'<tr><td><a href="{_esc(p.name)}">page {i + 1}</a></td><td>{p.docs}</td>'
                          f"<td>{_esc(p.first)}</td><td>{_esc(p.last)}</td><td>{sum(p.facts.values())}</td>"
                          + "".join(f"<td>{p.facts[t] or ''}</td>" for t in stypes) + "</tr>"
                          for i, p in enumerate(summary)) + "</table><h2>Documents on this page</h2>")
    problems = ("<h2>Problems</h2><div class=\"problems\">" + "\n".join(map(_esc, page.problems)) + "</div>"
                if page.problems else "")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width\"><title>{_esc(title)}</title>"
            f"<style>{CSS}{style}</style></head><body><main><h1>{_esc(title)}</h1>{nav}"
            f'<div class="legend">{legend}</div>'
            f'<details class="rules"><summary>rules ({len(rules)})</summary>{rule_boxes}</details>'
            f'<table class="index"><tr><th>document</th><th>facts</th>{head}</tr>{rows}</table>{problems}'
            f'{"".join(body)}</main><aside id="panel"><h1>Fact</h1><div id="panel-body">'
            '<p class="hint">Hover over a highlighted fact to see its type, rule, fields and field spans; '
            'click to pin it.</p></div></aside>'
            f'<script type="application/json" id="ierun-facts">{_script_json(facts_data)}</script>'
            f"<script>{JS}</script></body></html>\n")


def page_name(base: str, number: int) -> str:
    """facts.html, facts-2.html, facts-3.html, ..."""
    if number == 1:
        return base
    p = Path(base)
    return str(p.with_name(f"{p.stem}-{number}{p.suffix}"))


def _page_name_after(names: list[str]) -> str:
    return Path(page_name(names[0], len(names) + 1)).name


def rule_locations(plan) -> dict[str, str]:
    """rule name -> "file:line" where the rule is defined (the compiled plan keeps the IR's locations)."""
    return {cr.name: f"{cr.rule.loc.source.shown}:{cr.rule.loc.line}" for cr in plan.rules}


def fact_types(plan) -> list[str]:
    return sorted(name for name, t in plan.ruleset.facts.items() if not t.hidden)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class HtmlPages:
    """Collects documents and writes a page whenever one is full (to files), or the one page (to a stream).
    With several pages the first one is written last: it also indexes every page (documents, fact counts)."""

    def __init__(self, output: str | None, stream, types, rule_locs, docs_per_page=DOCS_PER_PAGE,
                 page_bytes=PAGE_BYTES):
        self.output, self.stream = output, stream
        self.types, self.rule_locs = types, rule_locs
        self.docs_per_page, self.page_bytes = docs_per_page, page_bytes
        self.page = Page()
        self.written: list[str] = []
        self.summary: list[PageSummary] = []
        self.first: Page | None = None  # the first page, held back until the index is known

    def full(self) -> bool:
        return len(self.page.docs) >= self.docs_per_page or self.page.size >= self.page_bytes

    def needs_new_page(self) -> bool:
        """Whether the next document goes on a new page (then `flush(has_next=True)` first)."""
        return bool(self.page.docs) and self.full()

    def flush(self, has_next: bool) -> None:
        number = len(self.written) + 1
        if self.output is None:
            self.stream.write(render_page(self.page, self.types, self.rule_locs))
            self.written.append("-")
            self.page = Page()
            return
        name = page_name(self.output, number)
        docs = self.page.docs
        self.summary.append(PageSummary(Path(name).name, len(docs), docs[0].doc_id if docs else "",
                                        docs[-1].doc_id if docs else "", Counter(f["type"] for d in docs for f in d.facts)))
        self.written.append(name)
        if number == 1 and has_next:
            self.first = self.page
        else:
            self._write(self.page, number, has_next)
        if not has_next and self.first is not None:
            self._write(self.first, 1, True, self.summary)
        self.page = Page()

    def _write(self, page: Page, number: int, has_next: bool, summary=None) -> None:
        names = [Path(n).name for n in self.written[:number]]
        several = len(self.written) > 1 or has_next
        _write_atomic(Path(page_name(self.output, number)),
                      render_page(page, self.types, self.rule_locs, number, names, has_next,
                                  f"ierun facts, page {number}" if several else "ierun facts", summary))


def run_html(extractor, docs, opts, plan, stdout=None, stderr=None, docs_per_page: int = DOCS_PER_PAGE,
             page_bytes: int = PAGE_BYTES) -> int:
    """The extraction run of `--format html` (runner.run's counterpart): failures are reported on standard
    error (and recorded with --errors) and shown on the page, the other documents still processed; exit 1
    after a failure, 2 when standard output would need more than one page."""
    from .inputs import InputProblem
    from .parallel import extract_all
    from .runner import report_failure
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    if opts.resume:
        stderr.write("ierun: error: --resume is for JSON Lines and table output, not --format html\n")
        return 2
    pages = HtmlPages(opts.output, stdout, fact_types(plan), rule_locations(plan), docs_per_page, page_bytes)
    errors = open(opts.errors, "w", encoding="utf-8") if opts.errors else None
    failures = 0

    def fail(doc_id, stage, message):
        nonlocal failures
        failures += 1
        report_failure(stderr, errors, doc_id, stage, message)
        pages.page.problems.append(message)

    if opts.executor == "dask":
        from .parallel import extract_dask
        results = extract_dask(extractor, docs, opts.scheduler, opts.trace, max(1, opts.jobs))
    else:
        results = extract_all(extractor, docs, max(1, opts.jobs), opts.trace)
    try:
        for result in results:
            doc = result.doc
            if isinstance(doc, InputProblem):
                fail(doc.where, "input", str(doc))
            elif result.lost is not None:
                fail(doc.id, "worker", f"{doc.id}: {result.lost}")
            else:
                if pages.needs_new_page():
                    if opts.output is None:
                        stderr.write(f"ierun: error: an HTML page holds {docs_per_page} documents "
                                     f"({page_bytes // 1048576} MiB of text); this input has more: give -o FILE.html "
                                     f"to write one page per {docs_per_page} documents (FILE.html, FILE-2.html, ...)\n")
                        return 2
                    pages.flush(has_next=True)
                for problem in result.problems:
                    fail(doc.id, result.stage, problem)
                if result.trace is not None:
                    stderr.write(f"--- matches in {doc.id}\n" + "".join(event.render() + "\n" for event in result.trace))
                pages.page.add(PageDoc(doc.id, doc.text, [json.loads(line) for line in result.lines]))
            if opts.fail_fast and failures:
                stderr.write("ierun: stopped at the first failure (--fail-fast)\n")
                break
        if pages.page.size > page_bytes:
            stderr.write(f"ierun: warning: a document of {pages.page.size // 1048576} MiB makes an HTML page "
                         f"a browser opens slowly\n")
        pages.flush(has_next=False)
    finally:
        if errors:
            errors.close()
    if len(pages.written) > 1:
        stderr.write(f"ierun: wrote {len(pages.written)} HTML pages: {pages.written[0]} ... {pages.written[-1]}\n")
    if failures and not (opts.fail_fast and failures):
        stderr.write(f"ierun: {failures} input{'s' if failures != 1 else ''} failed; the others were processed\n")
    return 1 if failures else 0
