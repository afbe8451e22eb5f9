"""Output files written safely: checked before any work, written to PATH.partial (never through a symbolic
link), and moved over PATH at the end only when PATH is absent or still a regular file. A device, a folder,
a named pipe or a missing or read-only folder is refused with a message, never replaced or written into."""
from __future__ import annotations

import os
import stat


class OutputRefused(Exception):
    """An output path that cannot be used (the message names it and says why)."""


class WriteFailed(Exception):
    """Writing an output failed part-way (a full disk, a lost mount)."""

    def __init__(self, path: str, err: OSError):
        super().__init__(f"{path}: {err.strerror or err}")
        self.path, self.err = path, err


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _regular_or_absent(path: str, shown: str, what: str) -> None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as err:
        raise OutputRefused(f"{shown}: cannot use it as {what}: {err.strerror or err}") from None
    if not stat.S_ISREG(st.st_mode):
        raise OutputRefused(f"{shown}: {what} is {_kind(st.st_mode) if not stat.S_ISLNK(st.st_mode) else 'a symbolic link'}"
                            f"; give the path of a regular file")


def check_output(path: str, what: str = "the output") -> str:
    """The real path to write `path` to (symbolic links followed), or OutputRefused saying why not. Beside
    it, PATH.partial and PATH.checkpoint must be absent or regular files as well."""
    try:
        real = os.path.realpath(path)
        st = os.stat(real)
    except FileNotFoundError:
        st = None
    except (OSError, ValueError) as err:
        raise OutputRefused(f"{path}: cannot use it as {what}: {getattr(err, 'strerror', None) or err}") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise OutputRefused(f"{path}: {what} is {_kind(st.st_mode)}; give the path of a regular file")
    parent = os.path.dirname(real) or "."
    if not os.path.isdir(parent):
        raise OutputRefused(f"{path}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputRefused(f"{path}: the folder {parent} is not writable")
    for side in (".partial", ".checkpoint", ".checkpoint.tmp"):
        _regular_or_absent(real + side, path + side, "a file the run writes")
    return real


def check_outputs(output: str | None, errors: str | None) -> None:
    """Both output paths usable, and not the same file under two spellings (the two would interleave)."""
    real_out = check_output(output, "the output (-o)") if output else None
    real_err = check_output(errors, "the error file (--errors)") if errors else None
    if real_out and real_err:
        same = real_out == real_err
        if not same and os.path.exists(real_out) and os.path.exists(real_err):
            same = os.path.samefile(real_out, real_err)
        if same:
            raise OutputRefused(f"{errors}: --errors names the same file as -o {output}; give two different files")


class Sink:
    """An output file written through PATH.partial, or a text stream. `pos` counts the bytes written."""

    def __init__(self, path: str | None, stream, resume_bytes: int | None):
        self.shown = path
        self.pos = 0
        if path is None:
            self.path, self.fh = None, stream
            return
        self.path = check_output(path)
        self.partial = self.path + ".partial"
        try:
            if resume_bytes is not None and os.path.exists(self.partial):
                fd = os.open(self.partial, os.O_RDWR | os.O_NOFOLLOW)
                self.fh = os.fdopen(fd, "r+b")
                self.fh.truncate(resume_bytes)
                self.fh.seek(resume_bytes)
                self.pos = resume_bytes
            else:
                fd = os.open(self.partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o666)
                self.fh = os.fdopen(fd, "wb")
        except OSError as err:
            raise OutputRefused(f"{path}: cannot write {self.partial}: {err.strerror or err}") from None

    def write(self, text: str) -> None:
        try:
            if self.path is None:
                try:
                    self.fh.write(text)
                except UnicodeEncodeError:  # a file name with undecodable bytes: JSON escapes, not a crash
                    self.fh.write(text.encode("utf-8", "backslashreplace").decode("utf-8"))
                return
            data = text.encode("utf-8", "backslashreplace")
            self.fh.write(data)
            self.pos += len(data)
        except OSError as err:
            raise WriteFailed(self.shown or "standard output", err) from None

    def tell(self) -> int:
        return self.pos

    def sync(self) -> None:
        try:
            self.fh.flush()
            if self.path:
                os.fsync(self.fh.fileno())
        except OSError as err:
            raise WriteFailed(self.shown or "standard output", err) from None

    def close(self) -> None:
        if self.path:
            try:
                self.fh.close()
            except OSError:
                pass

    def finish(self) -> None:
        """Move PATH.partial over PATH, checking again that PATH is absent or a regular file."""
        if not self.path:
            return
        try:
            self.fh.close()
        except OSError as err:
            raise WriteFailed(self.shown, err) from None
        try:
            _regular_or_absent(self.path, self.shown, "the output")
        except OutputRefused as err:
            raise OutputRefused(f"{err}; it changed during the run: the output is left in {self.partial}") from None
        os.replace(self.partial, self.path)
