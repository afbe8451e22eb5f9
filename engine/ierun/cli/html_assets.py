"""The style sheet and the script of the HTML view (engine/ierun/html_view.py), inlined into every page: a page
needs no network and no other file."""
from __future__ import annotations

# one colour per fact type, in the order of the rule set's (sorted) fact types; past the end, around again
PALETTE = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#008080", "#f032e6", "#9a6324",
           "#800000", "#808000", "#000075", "#469990")

CSS = """
:root { font-family: system-ui, sans-serif; color: #222; }
body { margin: 0; display: grid; grid-template-columns: minmax(0, 1fr) 26rem; min-height: 100vh; }
main { padding: 1rem 1.5rem; }
aside#panel { position: sticky; top: 0; align-self: start; height: 100vh; overflow: auto; box-sizing: border-box;
  padding: 1rem; border-left: 1px solid #ccc; background: #fafafa; font-size: 0.9rem; }
h1 { font-size: 1.3rem; margin: 0 0 .5rem; } h2 { font-size: 1.05rem; margin: 1.5rem 0 .4rem; word-break: break-all; }
nav.pages a, nav.pages span { margin-right: .6rem; }
.legend label { display: inline-block; margin: 0 .8rem .3rem 0; cursor: pointer; }
.swatch { display: inline-block; width: .9em; height: .9em; border-radius: 2px; vertical-align: -1px;
  background: var(--c); margin-right: .25rem; }
details.rules { margin: .3rem 0 .8rem; } details.rules label { display: block; font-family: monospace; font-size: .85rem; }
table.index { border-collapse: collapse; font-size: .85rem; margin: .5rem 0 1rem; }
table.index td, table.index th { border: 1px solid #ddd; padding: .15rem .5rem; text-align: right; }
table.index td:first-child, table.index th:first-child { text-align: left; }
.problems { color: #a00; font-family: monospace; white-space: pre-wrap; }
pre.text { white-space: pre-wrap; word-wrap: break-word; font: 0.95rem/2.1 ui-monospace, monospace; margin: 0;
  padding: .5rem; border: 1px solid #eee; background: #fff; }
mark.f { background: color-mix(in srgb, var(--c) 16%, transparent); color: inherit; border-bottom: 2px solid var(--c);
  padding: 2px 0; border-radius: 2px; cursor: pointer; box-decoration-break: clone; -webkit-box-decoration-break: clone; }
mark.f mark.f { padding: 0; border-bottom-style: double; border-bottom-width: 3px; }
mark.f.first::before { content: attr(data-t); font: 600 .6rem/1 system-ui, sans-serif; color: #fff;
  background: var(--c); padding: 1px 3px; margin-right: 2px; border-radius: 2px; vertical-align: super; }
mark.f.empty { display: inline-block; min-width: 4px; min-height: 1em; vertical-align: middle; }
span.fs { text-decoration: underline dotted var(--c) 2px; text-underline-offset: 4px; }
span.fs.hl { text-decoration-style: solid; }
span.fs.hl::after { content: attr(data-k); font: 600 .6rem/1 system-ui, sans-serif; color: var(--c);
  vertical-align: sub; margin-left: 1px; }
mark.f.hl, mark.f.hl mark.f { background: color-mix(in srgb, var(--c) 40%, transparent); outline: 1px solid var(--c); }
mark.f.off { background: none; border-bottom-color: transparent; cursor: auto; }
mark.f.off::before { display: none; } span.fs.off { text-decoration: none; }
#panel dl { display: grid; grid-template-columns: auto 1fr; gap: .2rem .6rem; margin: .5rem 0; }
#panel dt { font-weight: 600; } #panel dd { margin: 0; word-break: break-word; }
#panel table { border-collapse: collapse; width: 100%; } #panel td, #panel th { border: 1px solid #ddd; overflow-wrap: break-word;
  padding: .15rem .3rem; vertical-align: top; text-align: left; }
#panel td:nth-child(1), #panel td:nth-child(3) { white-space: nowrap; }
#panel .hint { color: #777; }
"""

# Hovering a fact shows it in the panel; a click pins it (a click elsewhere on the text unpins). The
# legend's and the rule list's checkboxes hide facts by type and by rule.
JS = r"""
(function () {
  "use strict";
  var FACTS = JSON.parse(document.getElementById("ierun-facts").textContent);
  var panel = document.getElementById("panel-body");
  var pinned = null;
  function el(tag, text, cls) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls; return e; }
  function show(id) {
    var f = FACTS[id];
    panel.replaceChildren();
    var dl = el("dl");
    [["type", f.type], ["rule", f.rule], ["defined at", f.loc], ["document", f.doc], ["span", f.start + "\u2013" + f.end],
     ["text", f.text]].forEach(function (kv) { dl.append(el("dt", kv[0]), el("dd", kv[1])); });
    dl.className = "fact"; dl.dataset.f = id;
    panel.append(dl);
    var t = el("table"); t.className = "fields";
    var head = el("tr"); ["field", "value", "span", "span text"].forEach(function (h) { head.append(el("th", h)); });
    t.append(head);
    Object.keys(f.fields).forEach(function (k) {
      var tr = el("tr"), s = f.field_spans[k];
      tr.dataset.field = k;
      tr.append(el("td", k), el("td", f.fields[k] === null ? "null" : String(f.fields[k])),
                el("td", s ? s[0] + "\u2013" + s[1] : "\u2014"), el("td", s ? f.field_texts[k] : ""));
      t.append(tr);
    });
    panel.append(t);
    if (pinned !== null) panel.append(el("p", "pinned: click the text elsewhere to unpin", "hint"));
  }
  function light(id, on) {
    document.querySelectorAll('mark.f[data-f="' + id + '"], span.fs[data-f="' + id + '"]').forEach(function (m) {
      m.classList.toggle("hl", on); });
  }
  function factOf(target) {
    var m = target.closest ? target.closest("mark.f") : null;
    while (m && m.classList.contains("off")) m = m.parentElement.closest("mark.f");
    return m;
  }
  document.addEventListener("mouseover", function (e) {
    var m = factOf(e.target);
    if (!m || pinned !== null) return;
    document.querySelectorAll(".hl").forEach(function (x) { x.classList.remove("hl"); });
    light(m.dataset.f, true); show(m.dataset.f);
  });
  document.addEventListener("click", function (e) {
    var m = factOf(e.target);
    if (!m) { if (e.target.closest && e.target.closest("pre.text")) { pinned = null; } return; }
    document.querySelectorAll(".hl").forEach(function (x) { x.classList.remove("hl"); });
    pinned = m.dataset.f; light(pinned, true); show(pinned);
  });
  function filter() {
    var offTypes = {}, offRules = {};
    document.querySelectorAll("input[data-type]").forEach(function (c) { if (!c.checked) offTypes[c.dataset.type] = 1; });
    document.querySelectorAll("input[data-rule]").forEach(function (c) { if (!c.checked) offRules[c.dataset.rule] = 1; });
    document.querySelectorAll("mark.f, span.fs").forEach(function (m) {
      var f = FACTS[m.dataset.f];
      m.classList.toggle("off", !!(offTypes[f.type] || offRules[f.rule]));
    });
  }
  document.querySelectorAll("input[data-type], input[data-rule]").forEach(function (c) {
    c.addEventListener("change", filter);
  });
})();
"""
