"""Rule paths at a git revision (`git:REV` in `ierun diff`): the same paths, read with `git archive` into a
private temporary folder that is removed afterwards. Nothing in that folder is ever executed: only regular
files and folders are written out, and a member that would land outside the folder is refused."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

PREFIX = "git:"


class GitProblem(Exception):
    """Why a `git:REV` argument cannot be read (a message for the analyst)."""


def is_rev(arg: str) -> bool:
    return arg.startswith(PREFIX)


def _git(args, cwd) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitProblem("git is not installed (git:REV needs it)") from None


def _toplevel(path: Path) -> Path:
    resolved = path.resolve()
    where = resolved if resolved.is_dir() else resolved.parent
    if not where.is_dir():
        raise GitProblem(f"{path}: no such rule file or directory")
    done = _git(["rev-parse", "--show-toplevel"], where)
    if done.returncode != 0:
        raise GitProblem(f"{path} is not inside a git repository")
    return Path(done.stdout.decode().strip()).resolve()


class Revision:
    """The rule paths `paths` (of the working tree) as they were at revision `rev`: `.paths` are their copies
    in a temporary folder; `display(text)` names them back as REV:path. Use as a context manager."""

    def __init__(self, arg: str, paths):
        self.arg, self.rev = arg, arg[len(PREFIX):]
        if not self.rev or self.rev.startswith("-"):
            raise GitProblem(f"{arg}: give a revision after 'git:' (e.g. git:HEAD, git:HEAD~1, git:main)")
        self.sources = [Path(p) for p in paths]
        self.tmp: str | None = None
        self.paths: list[Path] = []

    def __enter__(self) -> "Revision":
        if not self.sources:
            raise GitProblem(f"{self.arg}: the other side names no rule paths to read at that revision")
        top = _toplevel(self.sources[0])
        done = _git(["rev-parse", "--verify", "--quiet", f"{self.rev}^{{commit}}"], top)
        if done.returncode != 0:
            raise GitProblem(f"{self.arg}: unknown revision '{self.rev}' in the git repository {top}")
        commit = done.stdout.decode().strip()
        rels = []
        for p in self.sources:
            resolved = p.resolve()
            try:
                rel = resolved.relative_to(top)
            except ValueError:
                raise GitProblem(f"{p} is not inside the git repository {top}") from None
            rels.append(rel)
        self.tmp = tempfile.mkdtemp(prefix="ierun-diff-")
        try:
            for p, rel in zip(self.sources, rels):
                done = _git(["archive", "--format=tar", commit, "--", rel.as_posix() or "."], top)
                if done.returncode != 0:
                    raise GitProblem(f"{self.arg}: {p} does not exist at revision {self.rev}")
                _extract(done.stdout, Path(self.tmp))
                self.paths.append(Path(self.tmp) / rel)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def display(self, text: str) -> str:
        """Text naming the temporary copies, with the copies named as REV:path instead."""
        if self.tmp is None:
            return text
        return text.replace(self.tmp + os.sep, f"{self.rev}:")


def _extract(tar_bytes: bytes, dest: Path) -> None:
    root = dest.resolve()
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        for member in tar.getmembers():
            target = (dest / member.name).resolve()
            if target != root and root not in target.parents:
                raise GitProblem(f"refused archive member outside the folder: {member.name}")
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
            elif member.isfile():
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out)
                os.chmod(target, 0o644)
            # symbolic links, devices and the rest are not rules: skipped
