"""One RuleSet shared between threads gives the facts it gives alone; compiling from several threads leaves no
process-wide patch behind (issue 10, item 10)."""
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import regex

from ierun import pipeline
from ierun.engine.compile import compile_ruleset
from ierun.engine.regex_code import regex_code

ROOT = Path(__file__).resolve().parent.parent


def texts():
    out = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples" / "seed").glob("*.txt"))]
    out += ["Exports reached $1.8 billion and £3 million, up from €2 bln.\n",
            "ASTANA, Kazakhstan, Oct. 2 (Trend) Minister of Finance Yerulan Zhamaubayev said $5 million.\n",
            "Nothing to see here.\n"]
    return out


# `pack`: the default rule pack, compiled once per test run (conftest.py)


def test_one_ruleset_from_eight_threads_gives_the_single_threaded_facts(pack):
    docs = texts()
    expected = [pack.extract_dicts(t, "2023-10-02", str(i)) for i, t in enumerate(docs)]
    assert any(expected)
    calls = [(i % len(docs)) for i in range(240)]
    barrier = threading.Barrier(8)

    def work(numbers):
        barrier.wait()
        return [(n, pack.extract_dicts(docs[n], "2023-10-02", str(n))) for n in numbers]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, [calls[k::8] for k in range(8)]))
    got = [pair for chunk in results for pair in chunk]
    assert len(got) == 240
    assert all(facts == expected[n] for n, facts in got)


def test_concurrent_compiles_restore_the_regex_core_and_keep_the_right_programs(pack):
    core = regex._main._regex
    ir = pipeline.load_model([ROOT / "rules"])
    alone = pack.plan  # the same rules compiled alone, once for the whole test run
    barrier = threading.Barrier(4)  # four compiles of the pack at once (each one is seconds of CPU)

    def work(_):
        barrier.wait()
        plan = compile_ruleset(ir)
        return [cr.code for cr in plan.rules]

    with ThreadPoolExecutor(4) as pool:
        codes = list(pool.map(work, range(4)))
    assert regex._main._regex is core
    assert all(c == [cr.code for cr in alone.rules] for c in codes)


def test_capture_keeps_only_its_own_threads_program_while_others_compile():
    core = regex._main._regex
    stop = threading.Event()
    errors = []

    def others():
        n = 0
        while not stop.is_set():
            n += 1
            try:
                assert regex.compile(f"(?:other{n}|x[a-z]{{{n % 7}}})", cache_pattern=False).match(f"other{n}")
            except Exception as err:  # pragma: no cover - would fail the test below
                errors.append(err)

    threads = [threading.Thread(target=others) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for n in range(200):
            source = f"(?:mine{n}|y+z)"
            code = regex_code(source, {})
            assert code is not None and code[0] == source
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert errors == []
    assert regex._main._regex is core
