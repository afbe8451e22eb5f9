"""The plan cache is data only this user could have written: planted, foreign, tampered or stale entries are
never unpickled or used, and are rebuilt (issue 10, items 1 and 7)."""
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, HealthCheck, strategies as st

import ierun
from ierun import pipeline
from ierun.engine import plancache

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "examples" / "rules"
SEED = ROOT / "examples" / "seed" / "menafn-kz-uk.txt"
MONEY = "Exports reached $1.8 billion and £3 million last year.\n"


class Evil:
    """A pickle that writes a marker file when loaded."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def cli(*args, cache, cwd):
    env = {**os.environ, "IERUN_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT / "engine")}
    return subprocess.run([sys.executable, "-m", "ierun", *map(str, args)], env=env, cwd=cwd,
                          capture_output=True, text=True)


def note(why: str) -> str:
    """What `ierun run` says when the cache is refused."""
    return (f"ierun: note: the plan cache is not used: {why}; every run compiles the rules (IERUN_CACHE_DIR can name "
            f"another folder)\n")


def facts_of(out: str) -> list:
    return [json.loads(line) for line in out.splitlines()]


@pytest.fixture
def seed_facts(tmp_path):
    done = cli(RULES, SEED, "--no-cache", cache=tmp_path / "unused", cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == ""
    assert len(facts_of(done.stdout)) > 3
    return done.stdout


def plant(folder: Path, key: str, marker: Path) -> None:
    """An executing pickle under every name the cache uses (or used) for `key`; a MAC-shaped header too."""
    evil = pickle.dumps(Evil(marker))
    (folder / f"plan-{key}.pickle").write_bytes(evil)
    (folder / f"plan-{key}.plan").write_bytes(plancache.MAGIC + b"\0" * 32 + evil)
    (folder / "key").write_bytes(b"k" * 32)


def test_planted_pickle_in_world_writable_folder_is_never_run(tmp_path, seed_facts):
    cache = tmp_path / "shared"
    cache.mkdir()
    os.chmod(cache, 0o777)
    marker = tmp_path / "pwned"
    plant(cache, pipeline.fingerprint([RULES]), marker)
    for _ in range(2):
        done = cli(RULES, SEED, cache=cache, cwd=tmp_path)
        assert (done.returncode, done.stderr) == (0, note(f"other users can write to {cache} (chmod 700 it)"))
        assert done.stdout == seed_facts
        assert not marker.exists()
    # nothing of ours is written to a folder others can write to
    assert sorted(p.name for p in cache.iterdir()) == sorted(
        ["key", f"plan-{pipeline.fingerprint([RULES])}.pickle", f"plan-{pipeline.fingerprint([RULES])}.plan"])


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown to another user needs root")
def test_cache_folder_owned_by_another_user_is_not_used(tmp_path, seed_facts):
    cache = tmp_path / "theirs"
    cache.mkdir(mode=0o700)
    marker = tmp_path / "pwned"
    plant(cache, pipeline.fingerprint([RULES]), marker)
    for f in [cache, *cache.iterdir()]:
        os.chown(f, 65534, 65534)
    done = cli(RULES, SEED, cache=cache, cwd=tmp_path)
    assert (done.returncode, done.stderr, done.stdout) == (0, note(f"{cache} belongs to another user"), seed_facts)
    assert not marker.exists()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown to another user needs root")
def test_entry_owned_by_another_user_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("IERUN_CACHE_DIR", str(tmp_path / "cache"))
    plancache.write("k1", {"plan": 1})
    assert plancache.read("k1") == {"plan": 1}
    os.chown(plancache.entry_path(tmp_path / "cache", "k1"), 65534, 65534)
    assert plancache.read("k1") is None


def test_forged_entry_in_own_private_folder_is_never_run(tmp_path, monkeypatch, seed_facts):
    """The folder is the user's (a run made it and its key), but an entry's MAC is wrong: not unpickled."""
    cache = tmp_path / "cache"
    assert cli(RULES, SEED, cache=cache, cwd=tmp_path).stdout == seed_facts
    assert oct(cache.stat().st_mode & 0o777) == "0o700"
    assert oct((cache / "key").stat().st_mode & 0o777) == "0o600"
    entry = plancache.entry_path(cache, pipeline.fingerprint([RULES]))
    marker = tmp_path / "pwned"
    good = entry.read_bytes()
    entry.write_bytes(good[:len(plancache.MAGIC) + 32] + pickle.dumps(Evil(marker)))
    done = cli(RULES, SEED, cache=cache, cwd=tmp_path)
    assert (done.returncode, done.stderr, done.stdout) == (0, "", seed_facts)
    assert not marker.exists()
    assert entry.read_bytes() != good[:len(plancache.MAGIC) + 32] + pickle.dumps(Evil(marker))  # rebuilt
    monkeypatch.setenv("IERUN_CACHE_DIR", str(cache))
    assert plancache.read(pipeline.fingerprint([RULES])) is not None


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660])
def test_key_readable_or_writable_by_others_disables_the_cache(tmp_path, monkeypatch, mode):
    monkeypatch.setenv("IERUN_CACHE_DIR", str(tmp_path / "cache"))
    plancache.write("k1", [1, 2])
    assert plancache.read("k1") == [1, 2]
    os.chmod(tmp_path / "cache" / "key", mode)
    assert plancache.read("k1") is None


def test_a_refused_cache_is_one_note_that_says_why(tmp_path, seed_facts):
    cache = tmp_path / "cache"
    assert cli(RULES, SEED, cache=cache, cwd=tmp_path).stderr == ""  # made 0700, with its key: used, no note
    os.chmod(cache / "key", 0o644)
    for quiet in ([], ["-q"]):
        done = cli(RULES, SEED, *quiet, cache=cache, cwd=tmp_path)
        assert (done.returncode, done.stdout) == (0, seed_facts)
        assert done.stderr == ("" if quiet else note(f"other users can read or write its key file {cache / 'key'} "
                                                     f"(chmod 600 it)"))
    os.chmod(cache / "key", 0o600)
    key = (cache / "key").read_bytes()
    (cache / "key").write_bytes(key[:10])
    assert cli(RULES, SEED, cache=cache, cwd=tmp_path).stderr == note(f"its key file {cache / 'key'} is damaged "
                                                                       f"(remove it: ierun makes a new one)")
    (cache / "key").unlink()
    (tmp_path / "key").write_bytes(key)
    os.chmod(tmp_path / "key", 0o600)
    os.symlink(tmp_path / "key", cache / "key")
    assert cli(RULES, SEED, cache=cache, cwd=tmp_path).stderr == note(f"its key file {cache / 'key'} is not a regular "
                                                                       f"file (remove it: ierun makes a new one)")
    (cache / "key").unlink()
    os.chmod(cache, 0o500)  # no key, and none can be made (as root, a folder's mode does not stop its owner)
    if not os.access(cache, os.W_OK):
        assert cli(RULES, SEED, cache=cache, cwd=tmp_path).stderr == note("it holds no key file and none could be made "
                                                                           "there")
    os.chmod(cache, 0o700)
    (tmp_path / "file").write_text("")
    os.symlink(cache, tmp_path / "link")
    for where, why in [(cache, None), (tmp_path / "file", f"{tmp_path / 'file'} is not a folder"),
                       (tmp_path / "link", f"{tmp_path / 'link'} is a symbolic link"),
                       (tmp_path / "file" / "sub", f"{tmp_path / 'file' / 'sub'} does not exist and could not be made")]:
        done = cli(RULES, SEED, cache=where, cwd=tmp_path)
        assert (done.returncode, done.stdout, done.stderr) == (0, seed_facts, note(why) if why else "")
        assert cli(RULES, SEED, "--no-cache", cache=where, cwd=tmp_path).stderr == ""


def test_world_writable_folder_is_neither_read_nor_written(tmp_path, monkeypatch):
    monkeypatch.setenv("IERUN_CACHE_DIR", str(tmp_path / "cache"))
    plancache.write("k1", [1])
    os.chmod(tmp_path / "cache", 0o777)
    assert plancache.read("k1") is None
    plancache.write("k2", [2])
    assert not plancache.entry_path(tmp_path / "cache", "k2").exists()


def test_symlinked_entry_is_not_followed(tmp_path, monkeypatch):
    monkeypatch.setenv("IERUN_CACHE_DIR", str(tmp_path / "cache"))
    plancache.write("k1", [1])
    entry = plancache.entry_path(tmp_path / "cache", "k1")
    entry.rename(tmp_path / "elsewhere")
    entry.symlink_to(tmp_path / "elsewhere")
    assert plancache.read("k1") is None


# ---- corrupt and stale entries are rebuilt -------------------------------------------------------------
@pytest.fixture(scope="module")
def money_rules():
    rules = ierun.load(RULES, use_cache=False)
    return rules.extract_dicts(MONEY)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_bit_flips_in_a_cache_entry_are_detected_and_rebuilt(tmp_path_factory, money_rules, data):
    cache = tmp_path_factory.mktemp("flips")
    before = os.environ.get("IERUN_CACHE_DIR")
    os.environ["IERUN_CACHE_DIR"] = str(cache)
    try:
        assert ierun.load(RULES).extract_dicts(MONEY) == money_rules  # fills the cache
        entry = cache / f"plan-{pipeline.fingerprint([RULES])}.plan"  # the plan (each rule file's pieces aside)
        raw = bytearray(entry.read_bytes())
        pos = data.draw(st.integers(0, len(raw) * 8 - 1), label="bit")
        raw[pos // 8] ^= 1 << (pos % 8)
        entry.write_bytes(bytes(raw))
        assert ierun.load(RULES).extract_dicts(MONEY) == money_rules
        assert ierun.load(RULES).extract_dicts(MONEY) == money_rules
    finally:
        if before is None:
            os.environ.pop("IERUN_CACHE_DIR")
        else:
            os.environ["IERUN_CACHE_DIR"] = before


def test_entry_with_valid_mac_but_unusable_hyperscan_database_is_rebuilt_at_load(tmp_path, monkeypatch, money_rules):
    """As from another Hyperscan build: the MAC verifies, the database does not load; found at load time."""
    pytest.importorskip("hyperscan")
    monkeypatch.setenv("IERUN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("IERUN_NO_HYPERSCAN", raising=False)
    key = pipeline.fingerprint([RULES])
    ierun.load(RULES)  # fills the cache
    deps, plan = plancache.read(key)
    assert plan.gates
    for g in plan.gates:
        g.serialized = g.serialized[:40] + bytes(b ^ 0xFF for b in g.serialized[40:80]) + g.serialized[80:]
    plancache.write(key, (deps, plan))
    loaded = pipeline.load_plan([RULES])
    assert all(g._db is not None for g in loaded.gates)  # deserialized at load, not at first scan
    assert ierun.RuleSet(loaded).extract_dicts(MONEY) == money_rules
    assert plancache.read(key)[1].gates[0].serialized != plan.gates[0].serialized  # the entry was rebuilt


def test_single_rule_file_sees_a_changed_lexicon(tmp_path):
    (tmp_path / "r.ie").write_text('fact Thing {\n    name: str\n}\nlexicon thing from "things.txt"\n'
                                   'rule thing.find -> Thing {\n    match t:@thing\n    name = t\n}\n')
    (tmp_path / "things.txt").write_text("apple\n")
    (tmp_path / "doc.txt").write_text("an apple and a pear\n")
    cache = tmp_path / "cache"
    first = cli("r.ie", "doc.txt", cache=cache, cwd=tmp_path)
    assert [f["fields"]["name"] for f in facts_of(first.stdout)] == ["apple"]
    (tmp_path / "things.txt").write_text("pear\n")
    second = cli("r.ie", "doc.txt", cache=cache, cwd=tmp_path)
    assert (second.returncode, second.stderr) == (0, "")
    assert [f["fields"]["name"] for f in facts_of(second.stdout)] == ["pear"]


# ---- size bound ---------------------------------------------------------------------------------------
def test_cache_keeps_the_most_recently_used_entries(tmp_path, monkeypatch):
    monkeypatch.setenv("IERUN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(plancache, "MAX_ENTRIES", 3)
    folder = tmp_path / "cache"
    for n in range(4):
        plancache.write(f"k{n}", n)
        os.utime(plancache.entry_path(folder, f"k{n}"), (1000 + n, 1000 + n))
    # k0 was removed when k3 was written (then the oldest of four)
    assert sorted(p.name for p in folder.glob("plan-*")) == [f"plan-k{n}.plan" for n in (1, 2, 3)]
    assert plancache.read("k1") == 1  # used now: the most recent
    plancache.write("k4", 4)
    assert sorted(p.name for p in folder.glob("plan-*")) == [f"plan-k{n}.plan" for n in (1, 3, 4)]


def test_cache_keeps_within_its_size_bound(tmp_path, monkeypatch):
    monkeypatch.setenv("IERUN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(plancache, "MAX_BYTES", 25_000)
    folder = tmp_path / "cache"
    for n in range(5):
        plancache.write(f"k{n}", bytes(10_000))
        os.utime(plancache.entry_path(folder, f"k{n}"), (1000 + n, 1000 + n))
    assert sorted(p.name for p in folder.glob("plan-*")) == [f"plan-k{n}.plan" for n in (3, 4)]


def test_old_pickles_and_stale_temporary_files_are_cleaned_up(tmp_path, monkeypatch):
    monkeypatch.setenv("IERUN_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    (folder / "plan-old.pickle").write_bytes(b"x")
    (folder / ".plan-x.tmp").write_bytes(b"x")
    os.utime(folder / ".plan-x.tmp", (1000, 1000))
    (folder / ".plan-new.tmp").write_bytes(b"x")  # perhaps another run's, being written
    plancache.write("k", 1)
    assert sorted(p.name for p in folder.iterdir()) == [".plan-new.tmp", "key", "plan-k.plan"]
