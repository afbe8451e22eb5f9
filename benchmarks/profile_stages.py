"""Where a corpus run's time goes: a per-stage table (ms per MB of text, µs per fact) for the CLI's own path
(`ierun RULES --jsonl FILE -o OUT --jobs 1`, plan cached), one core, one corpus file per fresh process; then
the rules that cost most (their tries, and their facts' field values).

Stages (exclusive time: a stage's time excludes the stages it calls):
  start-up      the interpreter, imports, loading the cached plan, compiling its regexes (total - the rest;
                the regexes are compiled before the first document here, not at their first use)
  input         reading the JSONL: lines, UTF-8, json.loads, the publication date
  gate scan     Hyperscan's scan of each document (and of each masked text)
  rule tries    the rules' regexes, tried at the gate's positions (or searched in their scope ranges)
  segmentation  splitting a document into a scope's sentences, lines or paragraphs
  overlap       overlap resolution within a fact type
  field values  capture spans, expressions, normalizers (the facts' values)
  masking       the texts with consumed facts masked (for rules that consume facts)
  matcher rest  the matcher's own loop: active rules, ordering, candidates, sorting the facts
  output        the facts as JSON Lines, written
  run rest      the runner's loop (counters, checkpoints) and anything not named above

Time is CPU time of the process (`time.process_time`; the machine is shared), measured around each call:
the timers add a little to every stage (about 1 µs a call). Usage:
  python benchmarks/profile_stages.py [--rules rules] [--corpus A.jsonl B.jsonl] [--limit-mb N] [--top 12]"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from _common import ROOT, machine

# ../shared/eval beside the checkout, or beside a folder above it (a git worktree)
EVAL = next((p / "shared" / "eval" for p in ROOT.parents if (p / "shared" / "eval").is_dir()), ROOT.parent / "shared" / "eval")
DEFAULT = [EVAL / "reuters1987-dev.jsonl", EVAL / "reuters2006-dev.jsonl"]
STAGES = ["start-up", "input", "gate scan", "rule tries", "segmentation", "overlap", "field values", "masking",
          "matcher rest", "output", "run rest"]
LARGE_LEXICONS = (250, 1000)  # entries: rules using a lexicon of this many or more, and their share of the time


class Timers:
    """Exclusive CPU time per stage, and per rule (tries, field values)."""

    def __init__(self):
        self.clock = time.process_time_ns
        self.total = defaultdict(int)
        self.calls = defaultdict(int)
        self.rule_tries = defaultdict(int)
        self.rule_fields = defaultdict(int)
        self.stack = [0]  # for each open call: the time its children took

    def wrap(self, stage, fn, per_rule=None):
        clock, total, calls, stack = self.clock, self.total, self.calls, self.stack

        def timed(*args, **kw):
            stack.append(0)
            t = clock()
            try:
                return fn(*args, **kw)
            finally:
                took = clock() - t
                children = stack.pop()
                total[stage] += took - children
                calls[stage] += 1
                stack[-1] += took
                if per_rule is not None:
                    per_rule[1][per_rule[0](*args)] += took - children
        return timed

    def wrap_iter(self, stage, gen):
        """A generator whose every step is timed as `stage`."""
        clock, total, stack = self.clock, self.total, self.stack
        it = iter(gen)
        while True:
            stack.append(0)
            t = clock()
            try:
                item = next(it)
            except StopIteration:
                took = clock() - t
                total[stage] += took - stack.pop()
                stack[-1] += took
                return
            took = clock() - t
            total[stage] += took - stack.pop()
            stack[-1] += took
            yield item


def profile_one(rules: str, corpus: str, limit_mb: float | None) -> dict:
    """Run the CLI's path in this process over `corpus` with timers in place; the figures as a dict."""
    t0 = time.process_time_ns()
    sys.path.insert(0, str(ROOT / "engine"))
    from ierun.cli import commands, inputs, parallel, sink
    from ierun.engine import gate, match
    import ierun.cli.runner as runner

    timers = Timers()
    facts = [0]
    size = [0]
    read = inputs.read_inputs

    def read_inputs(*a, **kw):
        docs = timers.wrap_iter("input", read(*a, **kw))
        for d in docs:
            if isinstance(d, inputs.Document):
                size[0] += len(d.text.encode("utf-8", "surrogatepass"))
                if limit_mb and size[0] > limit_mb * 1e6:
                    return
            yield d

    inputs.read_inputs = read_inputs
    gate.Gate.scan = timers.wrap("gate scan", gate.Gate.scan)
    Ex = match.Extractor
    init = Ex.__init__

    def compiled_init(self, plan, *a, **kw):  # every rule's regex compiled now: start-up, not the first try
        init(self, plan, *a, **kw)
        for cr in plan.rules:
            cr.pattern, cr.prefilter

    Ex.__init__ = compiled_init
    Ex._apply = timers.wrap("rule tries", Ex._apply, (lambda self, doc, cr, *_: cr.name, timers.rule_tries))
    Ex._fact = timers.wrap("field values", Ex._fact, (lambda self, doc, cand: cand.cr.name, timers.rule_fields))
    Ex._mark = timers.wrap("masking", Ex._mark)
    Ex.run = timers.wrap("matcher rest", Ex.run)
    match.ranges = timers.wrap("segmentation", match.ranges)
    match.resolve = timers.wrap("overlap", match.resolve)
    fact_line = parallel.fact_line

    def counted(f):
        facts[0] += 1
        return fact_line(f)

    parallel.fact_line = timers.wrap("output", counted)
    sink.Sink.write = timers.wrap("output", sink.Sink.write)
    runner._loop = timers.wrap("run rest", runner._loop)

    with tempfile.TemporaryDirectory() as tmp:
        status = commands.main([rules, "--jsonl", corpus, "-o", str(Path(tmp) / "facts.jsonl"), "-q", "--jobs", "1"])
    total = time.process_time_ns() - t0
    stages = dict(timers.total)
    stages["start-up"] = total - sum(stages.values())  # imports, the cached plan, regex compiles, the rest
    from ierun import load
    rs = load(rules)  # the cached plan again, to name each rule's lexicons
    return {"corpus": corpus, "status": status, "mb": size[0] / 1e6, "facts": facts[0], "total_ns": total,
            "stages": stages, "calls": dict(timers.calls), "rule_tries": dict(timers.rule_tries),
            "rule_fields": dict(timers.rule_fields), "lexicons": _rule_lexicons(rs)}


def _rule_lexicons(rs) -> dict:
    """rule name -> the largest lexicon it uses (name, entries), or None."""
    from ierun.language import nodes as A
    from ierun.language.tree import walk
    plan = rs.extractor.plan
    lexicons = plan.ruleset.lexicons
    out = {}
    for cr in plan.rules:
        used = {n.name for n in walk(cr.rule.pattern) if isinstance(n, A.LexRef)}
        sizes = sorted(((len(lexicons[n].phrases), n) for n in used), reverse=True)
        out[cr.name] = [sizes[0][1], sizes[0][0]] if sizes else None
    return out


def report(results: list[dict], top: int) -> str:
    lines = [f"machine: {machine()}", "time: CPU time of the process (time.process_time), one core, --jobs 1, plan cached", ""]
    head = "| stage |" + "".join(f" {Path(r['corpus']).stem} ms/MB | µs/fact | share |" for r in results)
    lines += [head, "|---|" + "---:|---:|---:|" * len(results)]
    for stage in STAGES:
        row = f"| {stage} |"
        for r in results:
            ns = r["stages"].get(stage, 0)
            row += f" {ns / 1e6 / r['mb']:.0f} | {ns / 1e3 / max(r['facts'], 1):.1f} | {100 * ns / r['total_ns']:.1f}% |"
        lines.append(row)
    row = "| **total** |"
    for r in results:
        row += f" **{r['total_ns'] / 1e6 / r['mb']:.0f}** | **{r['total_ns'] / 1e3 / max(r['facts'], 1):.1f}** | 100% |"
    lines.append(row)
    lines.append("")
    for r in results:
        lines.append(f"{Path(r['corpus']).name}: {r['mb']:.1f} MB of text, {r['facts']:,} facts, "
                     f"{r['total_ns'] / 1e9:.1f} s CPU = {r['mb'] / (r['total_ns'] / 1e9):.2f} MB/s of CPU time; "
                     f"exit {r['status']}")
    lines += ["", f"The {top} rules that cost most (tries + field values, ms per MB, both files together):", "",
              "| rule | tries | field values | largest lexicon |", "|---|---:|---:|---|"]
    mb = sum(r["mb"] for r in results)
    cost = defaultdict(lambda: [0, 0])
    for r in results:
        for k, v in r["rule_tries"].items():
            cost[k][0] += v
        for k, v in r["rule_fields"].items():
            cost[k][1] += v
    lexicons = results[0]["lexicons"]
    for name, (tries, fields) in sorted(cost.items(), key=lambda kv: -sum(kv[1]))[:top]:
        lex = lexicons.get(name)
        lines.append(f"| {name} | {tries / 1e6 / mb:.0f} | {fields / 1e6 / mb:.0f} | "
                     f"{f'@{lex[0]} ({lex[1]:,})' if lex else '-'} |")
    all_ns = sum(r["total_ns"] for r in results)
    tries_ns = sum(v[0] for v in cost.values())
    lines.append("")
    for threshold in LARGE_LEXICONS:
        large = {n for n, lex in lexicons.items() if lex and lex[1] >= threshold}
        large_ns = sum(sum(cost[n]) for n in large)
        lines.append(f"Rules over a lexicon of >= {threshold:,} entries: {len(large)} "
                     f"({', '.join(sorted(large)) or 'none'}): {100 * large_ns / all_ns:.1f}% of the run's time.")
    lines.append(f"All rule tries: {100 * tries_ns / all_ns:.1f}% of the run's time.")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", default=str(ROOT / "rules"))
    ap.add_argument("--corpus", nargs="+", default=[str(p) for p in DEFAULT])
    ap.add_argument("--limit-mb", type=float, default=None, help="stop each file after this many MB of text")
    ap.add_argument("--top", type=int, default=12)
    ap.add_argument("--one", help=argparse.SUPPRESS)  # internal: profile this file, print JSON
    a = ap.parse_args()
    if a.one:
        print(json.dumps(profile_one(a.rules, a.one, a.limit_mb)))
        return
    env = {**os.environ, "PYTHONPATH": str(ROOT / "engine")}
    # fill the plan cache first: the figures are for a cached plan
    subprocess.run([sys.executable, "-m", "ierun", a.rules, str(ROOT / "examples" / "seed" / "menafn-kz-uk.txt"),
                    "-q"], env=env, check=True, stdout=subprocess.DEVNULL)
    results = []
    for corpus in a.corpus:
        cmd = [sys.executable, __file__, "--rules", a.rules, "--one", corpus]
        if a.limit_mb:
            cmd += ["--limit-mb", str(a.limit_mb)]
        done = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if result["status"] != 0 or not result["mb"]:
            sys.exit(f"profile_stages: the run over {corpus} failed (exit {result['status']}, {result['mb']} MB read)")
        results.append(result)
    print(report(results, a.top))


if __name__ == "__main__":
    main()
