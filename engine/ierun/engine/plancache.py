"""The plan cache: compiled plans kept on disk between runs, as data that only this user could have written.

Threat model. The cache folder ($IERUN_CACHE_DIR, else $XDG_CACHE_HOME/ierun, else ~/.cache/ierun) may be
shared, world-writable or planted by someone else; a cache file may be corrupt, truncated, or written by
another version of ierun, Python, `regex` or Hyperscan. A plan is a pickle (it holds parsed `regex` programs
and serialized Hyperscan databases), and unpickling runs code, so an entry is unpickled only when:
  - the folder is a real folder (not a symbolic link) owned by the current user and writable by no one
    else (mode 0700 when ierun creates it); otherwise the cache is not used at all (plans are compiled,
    nothing is read or written there);
  - the entry is a regular file owned by the user, writable by no one else, opened without following links;
  - its HMAC-SHA256 verifies, computed with a 32-byte secret from the folder's `key` file (created 0600
    by ierun, refused unless owned by the user and private) over the entry's name and content. The MAC is
    checked BEFORE unpickling: forging an entry needs the key, which only the user (or root) can read.
An entry that fails any check is ignored and rebuilt. After unpickling, each Hyperscan database is
deserialized and tried on a short text at once, so an entry this Hyperscan cannot use is rebuilt at load,
never failing at the first scan. Entries are keyed by the versions of ierun's code, Python, `regex`,
Hyperscan and the machine, so an entry with a valid MAC from another version is never used.

The folder holds at most MAX_ENTRIES entries and MAX_BYTES bytes: after each write, the least recently
used entries (a hit refreshes an entry's time) are removed, with left-over temporary files.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import stat
import tempfile
import time
from pathlib import Path

MAGIC = b"ierun-plan 2\n"
SUFFIX = ".plan"
KEY_FILE = "key"
KEY_SIZE = 32
MAX_ENTRIES = 64
MAX_BYTES = 512 * 1024 * 1024
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def cache_dir() -> Path:
    base = os.environ.get("IERUN_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "ierun"


def entry_path(folder: Path, key: str) -> Path:
    return folder / f"plan-{key}{SUFFIX}"


def _private(st: os.stat_result) -> bool:
    """Owned by the current user and writable by no one else."""
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def usable_folder(folder: Path, create: bool) -> bool:
    """Is `folder` a folder of the user's own that no one else can write to? (Created 0700 if asked.)"""
    if create:
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError:
            return False
    return _folder_problem(folder) is None


def refusal(folder: Path) -> str | None:
    """Why the cache in `folder` is not used, in words with the fix where there is one (None: it is used)."""
    problem = _folder_problem(folder)
    if problem is None and secret(folder, create=False) is None:
        return _key_problem(folder / KEY_FILE)
    return problem


def _folder_problem(folder: Path) -> str | None:
    """Why `folder` is not a real folder of the user's own that no one else can write to (None: it is)."""
    try:
        st = os.lstat(folder)
    except (FileNotFoundError, NotADirectoryError):
        return f"{folder} does not exist and could not be made"
    except OSError as err:
        return f"{folder} cannot be read ({err.strerror})"
    if stat.S_ISLNK(st.st_mode):
        return f"{folder} is a symbolic link"
    if not stat.S_ISDIR(st.st_mode):
        return f"{folder} is not a folder"
    if st.st_uid != os.getuid():
        return f"{folder} belongs to another user"
    if not _private(st):
        return f"other users can write to {folder} (chmod 700 it)"
    return None


def _key_problem(key: Path) -> str:
    """Why `secret` refuses the key file `key` (or found none), in words with the fix."""
    remake = "remove it: ierun makes a new one"
    try:
        st = os.lstat(key)
    except OSError:
        return "it holds no key file and none could be made there"
    if not stat.S_ISREG(st.st_mode):
        return f"its key file {key} is not a regular file ({remake})"
    if st.st_uid != os.getuid():
        return f"its key file {key} belongs to another user ({remake})"
    if st.st_mode & 0o077:
        return f"other users can read or write its key file {key} (chmod 600 it)"
    if st.st_size != KEY_SIZE:
        return f"its key file {key} is damaged ({remake})"
    return f"its key file {key} cannot be read"


def _read_private(path: Path, limit: int | None = None) -> bytes | None:
    """The content of a regular file of the user's own that no one else can write to, else None."""
    try:
        fd = os.open(path, os.O_RDONLY | _O_NOFOLLOW)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not _private(st):
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read() if limit is None else fh.read(limit + 1)
    except OSError:
        return None
    finally:
        os.close(fd)


def secret(folder: Path, create: bool) -> bytes | None:
    """The user's cache key: KEY_SIZE random bytes in a file only the user can read (made if missing)."""
    path = folder / KEY_FILE
    for _ in range(2):
        data = _read_private(path, KEY_SIZE)
        if data is not None:
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                return None
            if len(data) != KEY_SIZE or mode & 0o077:  # readable by others: anyone could forge entries
                return None
            return data
        if not create or os.path.lexists(path):
            return None
        try:  # written aside and linked into place: a reader never sees half a key, two writers agree
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".key-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(secrets.token_bytes(KEY_SIZE))
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
        except OSError:
            return None
    return None


def _mac(key: bytes, name: str, payload: bytes) -> bytes:
    return hmac.new(key, MAGIC + name.encode() + b"\0" + payload, hashlib.sha256).digest()


def read(key: str):
    """The object stored under `key`, or None (no entry, or one that fails a check)."""
    folder = cache_dir()
    if not usable_folder(folder, create=False):
        return None
    mac_key = secret(folder, create=False)
    if mac_key is None:
        return None
    path = entry_path(folder, key)
    data = _read_private(path)
    if data is None or not data.startswith(MAGIC) or len(data) < len(MAGIC) + 32:
        return None
    mac, payload = data[len(MAGIC):len(MAGIC) + 32], data[len(MAGIC) + 32:]
    if not hmac.compare_digest(mac, _mac(mac_key, path.name, payload)):
        return None
    try:
        value = pickle.loads(payload)  # only ever bytes this user's ierun wrote (the MAC says so)
    except Exception:
        return None
    try:
        os.utime(path)  # recently used: kept longest
    except OSError:
        pass
    return value


def write(key: str, value) -> None:
    """Store `value` under `key` (silently nothing when the folder is not private or not writable)."""
    folder = cache_dir()
    if not usable_folder(folder, create=True):
        return
    mac_key = secret(folder, create=True)
    if mac_key is None:
        return
    path = entry_path(folder, key)
    try:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".plan-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(MAGIC + _mac(mac_key, path.name, payload) + payload)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except (OSError, pickle.PicklingError):
        return  # an unwritable cache only costs speed
    prune(folder)


def prune(folder: Path, max_entries: int | None = None, max_bytes: int | None = None) -> None:
    """Keep the most recently used entries, at most `max_entries` of them and `max_bytes` in all; remove
    temporary files left by a killed run (older than an hour) and entries of the older pickle format."""
    max_entries = MAX_ENTRIES if max_entries is None else max_entries
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    entries, now = [], time.time()
    try:
        listing = list(os.scandir(folder))
    except OSError:
        return
    for e in listing:
        try:
            st = e.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        if e.name.startswith("plan-") and e.name.endswith(SUFFIX):
            entries.append((st.st_mtime, st.st_size, e.path))
        elif (e.name.startswith(".plan-") and e.name.endswith(".tmp") and now - st.st_mtime > 3600) \
                or (e.name.startswith("plan-") and e.name.endswith(".pickle")):
            _remove(e.path)
    entries.sort(reverse=True)
    total = 0
    for n, (_, size, path) in enumerate(entries):
        total += size
        if n >= max_entries or (total > max_bytes and n > 0):
            _remove(path)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
