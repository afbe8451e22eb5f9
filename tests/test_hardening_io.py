"""Issue 10, part B: outputs that never clobber, one bad input never sinks a run, worker loss and Ctrl-C.

Every test writes only inside its own tmp_path (they run as root on CI: a rename over /dev/null would
replace the machine's device)."""
import errno
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ierun.cli import parallel
from ierun.cli import main

ROOT = Path(__file__).resolve().parent.parent
RULES = str(ROOT / "examples" / "rules")
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "engine")}


def docs(n, start=0):
    return [{"id": f"d{i}", "text": f"Story {i}.\n\nIt paid ${i + 1} million and {i} percent.", "published": "2020-01-01"}
            for i in range(start, start + n)]


def write_jsonl(path, records, raw_lines=()):
    path.write_text("\n".join([json.dumps(r) for r in records] + list(raw_lines)) + "\n")


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def corpus():
    write_jsonl(Path("c.jsonl"), docs(3))
    return "c.jsonl"


def _clean_facts(capsys, records):
    write_jsonl(Path("clean.jsonl"), records)
    assert main([RULES, "clean.jsonl", "-j", "1", "-o", "clean-facts.jsonl"]) == 0
    capsys.readouterr()
    return Path("clean-facts.jsonl").read_text()


# --- item 2: -o never replaces what is not a regular file ---------------------------------------------

def _mknod_null(path):
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("mknod is not permitted here (not root, or in a container without CAP_MKNOD)")


def test_a_device_as_output_is_refused_and_stays_a_device(capsys, corpus):
    _mknod_null("null")
    assert main([RULES, corpus, "-o", "null"]) == 2
    assert capsys.readouterr().err == "ierun: error: null: the output (-o) is a device; give the path of a regular file\n"
    assert stat.S_ISCHR(os.lstat("null").st_mode)
    assert not Path("null.partial").exists()


def test_a_symlink_to_a_device_is_refused_and_the_device_kept(capsys, corpus):
    _mknod_null("null")
    os.symlink("null", "link")
    assert main([RULES, corpus, "--errors", "link"]) == 2
    assert capsys.readouterr().err == ("ierun: error: link: the error file (--errors) is a device; give the path of "
                                       "a regular file\n")
    assert stat.S_ISCHR(os.lstat("null").st_mode) and os.path.islink("link")


@pytest.mark.parametrize("args, message", [
    (["-o", "."], ".: the output (-o) is a folder; give the path of a regular file"),
    (["-o", "missing/out.jsonl"], "missing/out.jsonl: the folder {tmp}/missing does not exist"),
    (["--errors", "missing/e.jsonl"], "missing/e.jsonl: the folder {tmp}/missing does not exist"),
    (["-o", "x.jsonl", "--errors", "x.jsonl"], "x.jsonl: --errors names the same file as -o x.jsonl; give two different files"),
    (["-o", "x.jsonl", "--errors", "./sub/../x.jsonl"],
     "./sub/../x.jsonl: --errors names the same file as -o x.jsonl; give two different files"),
    (["-o", "x.jsonl", "--errors", "link.jsonl"],
     "link.jsonl: --errors names the same file as -o x.jsonl; give two different files"),
    (["-o", "x.jsonl", "--errors", "hard.jsonl"],
     "hard.jsonl: --errors names the same file as -o x.jsonl; give two different files"),
    (["-o", "fifo"], "fifo: the output (-o) is a named pipe; give the path of a regular file"),
    (["-o", "y.jsonl"], "y.jsonl.partial: a file the run writes is a folder; give the path of a regular file"),
])
def test_unusable_outputs_are_refused_before_any_work(capsys, corpus, tmp_path, args, message, monkeypatch):
    Path("sub").mkdir()
    Path("x.jsonl").write_text("old\n")
    os.symlink("x.jsonl", "link.jsonl")
    os.link("x.jsonl", "hard.jsonl")
    os.mkfifo("fifo")
    Path("y.jsonl.partial").mkdir()
    import ierun.pipeline
    monkeypatch.setattr(ierun.pipeline, "load_plan", lambda *a, **k: pytest.fail("the rules were loaded"))
    assert main([RULES, corpus] + args) == 2
    assert capsys.readouterr().err == f"ierun: error: {message.format(tmp=tmp_path)}\n"
    assert Path("x.jsonl").read_text() == "old\n" and os.path.islink("link.jsonl")
    assert stat.S_ISFIFO(os.lstat("fifo").st_mode)
    assert sorted(os.listdir()) == ["c.jsonl", "fifo", "hard.jsonl", "link.jsonl", "sub", "x.jsonl", "y.jsonl.partial"]


def test_a_read_only_folder_is_refused(capsys, corpus, monkeypatch):
    Path("ro").mkdir()
    if os.geteuid() == 0:  # root writes anywhere: the folder is read-only as far as os.access says
        real = os.access
        monkeypatch.setattr(os, "access", lambda p, m, **k: False if str(p).endswith("/ro") else real(p, m, **k))
    else:
        os.chmod("ro", 0o555)
    assert main([RULES, corpus, "-o", "ro/out.jsonl"]) == 2
    assert capsys.readouterr().err == f"ierun: error: ro/out.jsonl: the folder {Path('ro').resolve()} is not writable\n"


def test_the_output_through_a_symlink_is_written_to_its_target(capsys, corpus):
    Path("target.jsonl").write_text("old\n")
    os.symlink("target.jsonl", "link.jsonl")
    assert main([RULES, corpus, "-o", "link.jsonl"]) == 0
    assert os.path.islink("link.jsonl")
    assert Path("target.jsonl").read_text() == _clean_facts(capsys, docs(3))


def test_an_output_that_turns_into_a_folder_during_the_run_is_not_replaced(capsys, corpus, monkeypatch):
    whole = _clean_facts(capsys, docs(3))
    import ierun.cli.runner
    real = ierun.cli.runner.extract_all

    def meanwhile(*a, **k):
        os.mkdir("out.jsonl")
        yield from real(*a, **k)

    monkeypatch.setattr(ierun.cli.runner, "extract_all", meanwhile)
    assert main([RULES, corpus, "-o", "out.jsonl", "-j", "1"]) == 1
    err = capsys.readouterr().err
    partial = f"{Path('out.jsonl.partial').resolve()}"
    assert err == (f"ierun: error: out.jsonl: the output is a folder; give the path of a regular file; it changed "
                   f"during the run: the output is left in {partial}\n")
    assert Path("out.jsonl").is_dir() and Path(partial).read_text() == whole


# --- item 9: a full disk, Ctrl-C ------------------------------------------------------------------------

class _FullDisk:
    """A file that takes `room` bytes, then fails like a full disk."""

    def __init__(self, fh, room):
        self.fh, self.room = fh, room

    def write(self, data):
        if len(data) > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(data)
        return self.fh.write(data)

    def __getattr__(self, name):
        return getattr(self.fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.fh.close()


def test_a_full_disk_is_a_message_and_the_run_resumes(capsys, monkeypatch):
    write_jsonl(Path("c.jsonl"), docs(40))
    whole = _clean_facts(capsys, docs(40))
    real = os.fdopen
    with monkeypatch.context() as m:
        # files opened for writing in binary (the facts, the checkpoint); reads (the plan cache) stay real
        m.setattr(os, "fdopen", lambda fd, mode="r", *a, **k: _FullDisk(real(fd, mode, *a, **k), 3000)
                  if "b" in mode and mode != "rb" else real(fd, mode, *a, **k))
        assert main([RULES, "c.jsonl", "-j", "1", "-o", "out.jsonl"]) == 1
    partial = Path("out.jsonl.partial").resolve()
    assert capsys.readouterr().err == (f"ierun: error: cannot write out.jsonl: No space left on device; the facts so "
                                       f"far are in {partial}: run the same command with --resume to continue\n")
    assert not Path("out.jsonl").exists() and 0 < json.loads(Path("out.jsonl.checkpoint").read_text())["docs"] < 40
    assert main([RULES, "c.jsonl", "-j", "1", "-o", "out.jsonl", "--resume"]) == 0
    assert Path("out.jsonl").read_text() == whole and not Path("out.jsonl.checkpoint").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_ctrl_c_says_where_the_run_stopped_and_resumes(tmp_path):
    write_jsonl(Path("c.jsonl"), docs(4000))
    base = [sys.executable, "-m", "ierun", str(ROOT / "rules"), "c.jsonl", "-q", "-j", "2"]
    subprocess.run(base + ["-o", "whole.jsonl"], env=ENV, check=True)
    # the interrupted run reads its input from a named pipe that is never closed, so it cannot end on its own
    # however fast or slow the machine is; the resumed run reads the whole file, under the same name
    os.replace("c.jsonl", "c.full")
    os.mkfifo("c.jsonl")
    proc = subprocess.Popen(base + ["-o", "out.jsonl", "--checkpoint-seconds", "0.05"], env=ENV,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    pipe, feeder, deadline = None, None, time.monotonic() + 120

    def feed():
        try:
            for d in docs(2000):
                pipe.write(json.dumps(d) + "\n")
            pipe.flush()
        except (BrokenPipeError, ValueError):  # the run was stopped while the pipe was full
            pass

    try:
        while pipe is None and time.monotonic() < deadline and proc.poll() is None:
            try:  # (a pipe cannot be opened for writing without a reader: ENXIO until the run opens its input)
                pipe = os.fdopen(os.open("c.jsonl", os.O_WRONLY | os.O_NONBLOCK), "w")
            except OSError as err:
                if err.errno != errno.ENXIO:
                    raise
                time.sleep(0.02)
        assert pipe is not None, f"the run did not open its input: {proc.poll()}"
        os.set_blocking(pipe.fileno(), True)
        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()
        checkpoint = Path("out.jsonl.checkpoint")
        while time.monotonic() < deadline and not (checkpoint.exists() and
                                                   json.loads(checkpoint.read_text())["docs"] > 200):
            time.sleep(0.02)
        assert proc.poll() is None
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the whole process group, workers included
        err = proc.communicate(timeout=60)[1]
    finally:
        if proc.poll() is None:  # a hung run: stopped here, not left behind
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if feeder is not None:
            feeder.join(10)
        try:
            if pipe is not None:
                pipe.close()
        except BrokenPipeError:  # what was buffered could not be written: the run is gone
            pass
    os.unlink("c.jsonl")
    os.replace("c.full", "c.jsonl")
    assert proc.returncode == 130
    done = json.loads(checkpoint.read_text())["docs"]
    assert err == (f"ierun: interrupted after {done:,} documents; the facts so far are in "
                   f"{Path('out.jsonl.partial').resolve()}: run the same command with --resume to continue\n")
    assert not Path("out.jsonl").exists()
    subprocess.run(base + ["-o", "out.jsonl", "--resume"], env=ENV, check=True)
    assert Path("out.jsonl").read_bytes() == Path("whole.jsonl").read_bytes()


# --- item 3: one bad record is that record's failure --------------------------------------------------

def test_bad_records_are_reported_and_the_others_kept(capsys):
    good = docs(4)
    write_jsonl(Path("c.jsonl"), good[:2], ['{"id": "s", "text": "bad \\ud800 $3 million"}', "[" * 5000 + "]" * 5000,
                                            '{"id": "\\udfff", "text": "$4 million"}', json.dumps(good[2]),
                                            json.dumps(good[3])])
    assert main([RULES, "c.jsonl", "-j", "1", "-o", "out.jsonl", "--errors", "e.jsonl"]) == 1
    err = capsys.readouterr().err
    assert err == ("ierun: error: c.jsonl:3: record text holds a lone surrogate (U+D800) at character 4: not valid "
                   "Unicode\n"
                   "ierun: error: c.jsonl:4: JSON Lines record nested too deeply to read\n"
                   "ierun: error: c.jsonl:5: record id holds a lone surrogate (U+DFFF) at character 0: not valid Unicode\n"
                   "ierun: 3 inputs failed; the others were processed\n")
    assert [json.loads(x)["doc"] for x in Path("e.jsonl").read_text().splitlines()] == ["c.jsonl:3", "c.jsonl:4",
                                                                                       "c.jsonl:5"]
    assert Path("out.jsonl").read_text() == _clean_facts(capsys, good)


def test_a_symlink_loop_named_as_input_is_that_inputs_failure(capsys, corpus):
    os.symlink("loop", "loop")
    assert main([RULES, "loop", corpus, "-j", "1", "-o", "out.jsonl", "--errors", "e.jsonl"]) == 1
    assert capsys.readouterr().err == ("ierun: error: loop: cannot read: Too many levels of symbolic links\n"
                                       "ierun: 1 input failed; the others were processed\n")
    assert json.loads(Path("e.jsonl").read_text()) == {
        "doc": "loop", "stage": "input", "message": "loop: cannot read: Too many levels of symbolic links"}
    assert Path("out.jsonl").read_text() == _clean_facts(capsys, docs(3))


# --- item 4: nothing in a folder is skipped in silence ------------------------------------------------

def _folder():
    Path("d/sub").mkdir(parents=True)
    Path("d/a.txt").write_text("It paid $5 million.")
    Path("d/sub/b.txt").write_text("It paid $6 million.")
    Path("d/z.txt").write_text("It paid $7 million.")


def test_a_folder_that_cannot_be_listed_is_reported(capsys, monkeypatch):
    _folder()
    real = os.scandir

    def scandir(path="."):
        if str(path).endswith("sub"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert main([RULES, "d", "-j", "1", "--errors", "e.jsonl"]) == 1
    out, err = capsys.readouterr()
    assert err == ("ierun: error: d/sub: cannot list this folder: Permission denied\n"
                   "ierun: 1 input failed; the others were processed\n")
    assert [json.loads(x)["doc"] for x in out.splitlines()] == ["d/a.txt", "d/z.txt"]
    assert json.loads(Path("e.jsonl").read_text())["doc"] == "d/sub"


def test_symlink_loops_and_dangling_links_in_a_folder_are_reported(capsys):
    _folder()
    os.symlink("loop", "d/loop")
    os.symlink("nowhere.txt", "d/sub/dangling.txt")
    os.symlink("sub", "d/linked-folder")  # a link to a folder is not followed (as before): no failure
    assert main([RULES, "d", "-j", "1"]) == 1
    out, err = capsys.readouterr()
    assert err == ("ierun: error: d/loop: cannot read: Too many levels of symbolic links\n"
                   "ierun: error: d/sub/dangling.txt: cannot read: No such file or directory\n"
                   "ierun: 2 inputs failed; the others were processed\n")
    assert [json.loads(x)["doc"] for x in out.splitlines()] == ["d/a.txt", "d/sub/b.txt", "d/z.txt"]


def test_a_clean_folder_reads_as_before(capsys):
    _folder()
    Path("d/notes.md").write_text("$1 million")
    assert main([RULES, "d", "-j", "1", "--exclude", "z.txt"]) == 0
    assert [json.loads(x)["doc"] for x in capsys.readouterr().out.splitlines()] == ["d/a.txt", "d/sub/b.txt"]


# --- item 8: a worker that dies -----------------------------------------------------------------------

@pytest.fixture
def bounded():
    """A hung run fails the test instead of hanging the suite."""
    def hung(*_):
        raise TimeoutError("the run hung")
    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(120)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def _killer(monkeypatch, doc_id, once: bool):
    """Workers (forked from this process) die on `doc_id`: every time, or only the first time."""
    real = parallel._run_one
    marker = Path("killed-once").resolve()

    def run_one(extractor, doc, trace):
        if getattr(doc, "id", None) == doc_id and not (once and marker.exists()):
            marker.touch()
            os._exit(9)
        return real(extractor, doc, trace)

    monkeypatch.setattr(parallel, "_run_one", run_one)


def test_stopping_the_pool_ends_its_thread_even_with_half_a_result_in_the_pipe():
    """A worker stopped while sending its result left half a message in the pipe: the executor's thread
    waited for the rest forever, and Python's exit waited for that thread (an interrupted run that never
    ended). Stopping the pool must end that thread."""
    import struct
    import ierun
    from ierun.cli.inputs import Document
    pool = parallel._Pool(ierun.load(RULES).extractor, 2, False)
    pool._renew()
    assert list(pool._alone([Document("d", "It paid $3 million.")]))  # the workers and the executor's thread are running
    executor = pool.pool
    results, thread = executor._result_queue, executor._executor_manager_thread
    os.write(results._writer.fileno(), struct.pack("!i", 1000) + b"half")  # a result cut short
    time.sleep(0.2)  # the thread has read the header and waits for the rest
    pool._stop()
    thread.join(20)
    try:
        assert not thread.is_alive()
    finally:
        if thread.is_alive():  # the test failed: free the thread, or the test process cannot exit
            results._writer.close()


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(), reason="needs fork")
def test_a_worker_killed_once_loses_nothing(capsys, monkeypatch, bounded):
    whole = _clean_facts(capsys, docs(300))
    write_jsonl(Path("c.jsonl"), docs(300))
    _killer(monkeypatch, "d70", once=True)
    assert main([RULES, "c.jsonl", "-j", "2", "-o", "out.jsonl"]) == 0
    assert Path("killed-once").exists()
    assert capsys.readouterr().err == ""
    assert Path("out.jsonl").read_text() == whole


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(), reason="needs fork")
def test_a_document_that_kills_its_worker_is_reported_and_the_run_goes_on(capsys, monkeypatch, bounded):
    good = docs(300)
    whole = _clean_facts(capsys, good[:70] + good[71:])
    write_jsonl(Path("c.jsonl"), good)
    _killer(monkeypatch, "d70", once=False)
    started = time.monotonic()
    assert main([RULES, "c.jsonl", "-j", "2", "-o", "out.jsonl", "--errors", "e.jsonl"]) == 1
    assert time.monotonic() - started < 60
    message = ("d70: the worker process running this document died (killed, or out of memory) twice; "
               "its facts are missing")
    assert capsys.readouterr().err == f"{message}\nierun: 1 input failed; the others were processed\n"
    assert json.loads(Path("e.jsonl").read_text()) == {"doc": "d70", "stage": "worker", "message": message}
    assert Path("out.jsonl").read_text() == whole


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(), reason="needs fork")
def test_a_worker_that_dies_while_sending_its_result_is_noticed(capsys, monkeypatch, bounded):
    """A worker killed (out of memory, say) in the middle of sending its result leaves half a message in the
    pool's pipe: the executor waits for the rest and never notices the death; the run must, not hang."""
    import gc
    import multiprocessing.queues
    import struct
    good = docs(100)
    whole = _clean_facts(capsys, good[:70] + good[71:])
    write_jsonl(Path("c.jsonl"), good)
    real = parallel._run_one

    def run_one(extractor, doc, trace):
        if getattr(doc, "id", None) == "d70":  # in the worker: half a result into the pool's pipe, then die
            results = next(o for o in gc.get_objects()  # (an earlier pool's, closed, is in memory too)
                           if isinstance(o, multiprocessing.queues.SimpleQueue) and not o._writer.closed)
            os.write(results._writer.fileno(), struct.pack("!i", 1 << 20) + b"half")
            os._exit(9)
        return real(extractor, doc, trace)

    monkeypatch.setattr(parallel, "_run_one", run_one)
    assert main([RULES, "c.jsonl", "-j", "2", "-o", "out.jsonl", "--errors", "e.jsonl"]) == 1
    message = ("d70: the worker process running this document died (killed, or out of memory) twice; "
               "its facts are missing")
    assert capsys.readouterr().err == f"{message}\nierun: 1 input failed; the others were processed\n"
    assert Path("out.jsonl").read_text() == whole


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(), reason="needs fork")
def test_a_document_that_kills_its_worker_is_reported_on_the_html_page_too(capsys, monkeypatch, bounded):
    write_jsonl(Path("c.jsonl"), docs(90))  # (one page)
    _killer(monkeypatch, "d70", once=False)
    assert main([RULES, "c.jsonl", "-j", "2", "--format", "html", "-o", "out.html", "--errors", "e.jsonl"]) == 1
    message = ("d70: the worker process running this document died (killed, or out of memory) twice; "
               "its facts are missing")
    assert capsys.readouterr().err == f"{message}\nierun: 1 input failed; the others were processed\n"
    assert json.loads(Path("e.jsonl").read_text()) == {"doc": "d70", "stage": "worker", "message": message}
    page = Path("out.html").read_text()
    assert page.count('<section class="doc"') == 89 and message in page


DASK_KILLER = '''
import os, sys
from ierun.cli import parallel

def chunk(plan, timeout, docs, trace):  # sent to the workers by value: every worker dies on its first chunk
    os._exit(9)

if __name__ == "__main__":
    parallel._dask_chunk = chunk
    from ierun.cli import main
    sys.exit(main(sys.argv[1:]))
'''


def test_dask_with_every_worker_gone_is_a_message_and_a_resumable_state(tmp_path):
    pytest.importorskip("dask.distributed")
    write_jsonl(Path("c.jsonl"), docs(200))
    Path("killer.py").write_text(DASK_KILLER)
    done = subprocess.run([sys.executable, "killer.py", RULES, "c.jsonl", "--executor", "dask", "-j", "2",
                           "-o", "out.jsonl"], env=ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    last = done.stderr.splitlines()[-1]
    assert last.startswith("ierun: error: the Dask cluster lost the documents d0 .. d63 (64 documents): ")
    assert last.endswith(f"; the facts so far are in {Path('out.jsonl.partial').resolve()}: run the same command "
                         f"with --resume to continue")
    assert json.loads(Path("out.jsonl.checkpoint").read_text())["docs"] == 0
    assert subprocess.run([sys.executable, "-m", "ierun", RULES, "c.jsonl", "-j", "1", "-o", "out.jsonl", "--resume"],
                          env=ENV).returncode == 0
    assert len(Path("out.jsonl").read_text().splitlines()) == 200


def test_ctrl_c_without_an_output_file_says_how_far_the_output_goes(capsys, monkeypatch, corpus):
    real = parallel._run_one

    def run_one(extractor, doc, trace):
        if doc.id == "d2":
            raise KeyboardInterrupt
        return real(extractor, doc, trace)

    monkeypatch.setattr(parallel, "_run_one", run_one)
    assert main([RULES, corpus, "-j", "1"]) == 130
    out, err = capsys.readouterr()
    assert err == ("ierun: interrupted after 2 documents (facts on standard output up to there; with -o OUT a "
                   "stopped run can be resumed with --resume)\n")
    assert [json.loads(x)["doc"] for x in out.splitlines()] == ["d0", "d1"]


def test_ctrl_c_while_loading_the_rules_is_one_line(capsys, monkeypatch, corpus):
    import ierun.pipeline

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(ierun.pipeline, "load_plan", interrupted)
    assert main([RULES, corpus, "-o", "out.jsonl"]) == 130
    assert capsys.readouterr().err == "ierun: interrupted\n"
    assert os.listdir() == ["c.jsonl"]
