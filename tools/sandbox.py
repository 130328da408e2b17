"""Run untrusted code under bubblewrap: read-only system, no network, own PID namespace, limits.

    box = Sandbox(binds={"/sandbox/env": venv, ...}, limits=Limits(), slot=0)
    proc = box.start(["/sandbox/env/bin/python", "-m", "pytest", ...], env={...}, pass_fds=[w])
    ...  # read what it streams through the pipe
    box.kill(proc)   # SIGKILL from outside: the whole sandbox dies with it

What the sandbox sees (bubblewrap, ``isolated`` is True):

* ``/usr`` (and its ``/bin``, ``/lib`` links), the Python installation and a few dynamic-linker
  files from ``/etc``, all read-only; the ``binds`` (read-only) at the paths given; a private
  ``/proc``, a minimal ``/dev`` and a private, size-capped ``/tmp``. Nothing else: not the
  instructor's tree, other submissions, the output directory, ``$HOME`` or ``/etc/passwd``.
* No network (only its own loopback), its own PID, IPC and UTS namespaces, a new session (no
  terminal to inject into), no new privileges; the environment is exactly ``env``.
* ``tools/sandbox_launch.py`` runs first: it sets the rlimits and, when the grader is root, drops
  to an unprivileged uid of its own (``slot_uid(slot)``), so the process limit holds (Linux does
  not count processes for root) and every capability is gone. Each grading process claims its
  uids with a lock file, so two graders on one machine never share one.
* Killing the sandbox from outside (``kill``: SIGKILL to bubblewrap's process group) takes its
  PID namespace down, and with it every process started inside, daemons included. It also dies
  when the grader dies (``--die-with-parent``).

Without bubblewrap (``isolated`` is False) the command runs as a plain child in its own session
with the same environment, limits and timeouts, but it can read and write what the grader's user
can: grading reports say so.
"""

from __future__ import annotations

import fcntl
import functools
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

LAUNCHER = Path(__file__).resolve().parent / "sandbox_launch.py"
SLOT_UID = 61000
"""Sandboxes started by root run as uids from here on: one per parallel job (``slot_uid``)."""
SLOT_UIDS = 1000
"""How many uids the graders of one machine may claim."""
UID_LOCKS = Path(tempfile.gettempdir()) / "tinytorch-sandbox-uids"
"""A lock file per claimed uid (the sandboxes have their own /tmp and never see these)."""
LAUNCHER_INSIDE = "/sandbox/launch/sandbox_launch.py"
WORKDIR = "/tmp/work"
"""The sandbox's working directory (on its private /tmp)."""
ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime")
"""The only files of /etc the sandbox sees: what the dynamic linker and time functions read."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed process tree (bytes unless said otherwise)."""

    memory: int = 6 << 30
    """Address space per process (RLIMIT_AS): a blow-up gets MemoryError, not the machine."""
    processes: int = 128
    """Processes and threads of the sandbox's user (RLIMIT_NPROC): stops a fork bomb."""
    file_size: int = 64 << 20
    """Largest file it may write (RLIMIT_FSIZE)."""
    open_files: int = 512
    tmp_size: int = 256 << 20
    """Size of its private /tmp (a tmpfs in memory)."""


@functools.lru_cache(maxsize=1)
def bubblewrap() -> tuple[str | None, str]:
    """(path of a working ``bwrap`` or None, why not). Tried once per process with real runs:
    as root first without a user namespace (the launcher then drops to its own uid), else
    with one (a container without CAP_SYS_ADMIN; the launcher then keeps the uid)."""
    path = shutil.which("bwrap")
    if path is None:
        return None, "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    why = ""
    for userns in ([False, True] if os.getuid() == 0 else [True]):
        probe = [path, *_namespaces(userns), "--ro-bind", "/", "/", "--proc", "/proc", "--",
                 "/bin/true"]
        try:
            done = subprocess.run(probe, capture_output=True, text=True, timeout=30, env={})
        except (OSError, subprocess.TimeoutExpired) as error:
            return None, f"bubblewrap does not run here: {error}"
        if done.returncode == 0:
            _MODE["userns"] = userns
            return path, ""
        why = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
    return None, (f"bubblewrap cannot create namespaces here ({why}); on a desktop enable "
                  "unprivileged user namespaces, in Docker run with CAP_SYS_ADMIN")


_MODE = {"userns": os.getuid() != 0}
"""Whether sandboxes need a user namespace (set by the probe in ``bubblewrap``)."""


def _namespaces(userns: bool) -> list[str]:
    """Unshare everything. As root no user namespace is needed, and keeping the real root lets
    the launcher switch to an unprivileged uid, whose process count the kernel limits."""
    spaces = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
              "--unshare-cgroup-try"]
    if not userns:
        return spaces
    # bubblewrap run by root keeps capabilities inside the user namespace unless told
    return ["--unshare-user", *spaces, *(["--cap-drop", "ALL"] if os.getuid() == 0 else [])]


def _system_binds() -> list[str]:
    """Read-only system: /usr with the merged-/usr links, the Python installation, /etc bits."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64"):
        top = Path("/") / name
        if top.is_symlink():
            args += ["--symlink", os.readlink(top), str(top)]
        elif top.is_dir():
            args += ["--ro-bind", str(top), str(top)]
    prefix = Path(sys.base_prefix).resolve()
    if not prefix.is_relative_to("/usr"):
        args += [*_parents(str(prefix)), "--ro-bind", str(prefix), str(prefix)]
    args += _parents(ETC_FILES[0])
    for path in ETC_FILES:
        args += ["--ro-bind-try", path, path]
    return args


def _parents(path: str) -> list[str]:
    """Create the directories above ``path`` world-traversable (bubblewrap would make them
    0700, which the unprivileged sandbox user cannot enter)."""
    args: list[str] = []
    for parent in reversed(Path(path).parents[:-1]):
        args += ["--perms", "0755", "--dir", str(parent)]
    return args


class Sandbox:
    """Where and how sandboxed commands run.

    ``python`` (an inside path) runs the launcher; ``binds`` maps inside paths to host paths.
    """

    def __init__(self, python: str, binds: Mapping[str, Path], limits: Limits = Limits(),
                 slot: int = 0, isolate: bool = True) -> None:
        self.python = python
        self.limits = limits
        self.slot = slot
        self.bwrap, self.why_not = bubblewrap() if isolate else (None, "isolation turned off")
        self.binds = {inside: Path(host).resolve() for inside, host in binds.items()}
        self._scratch: list[str] = []

    @property
    def isolated(self) -> bool:
        return self.bwrap is not None

    def translate(self, text: str) -> str:
        """``text`` with every inside path replaced by its host path when not isolated."""
        if self.isolated:
            return text
        for inside, host in sorted(self.binds.items(), key=lambda b: -len(b[0])):
            text = text.replace(inside, str(host))
        return text

    def command(self, argv: Sequence[str], env: Mapping[str, str], workdir: str) -> list[str]:
        """The full command line: bubblewrap (when isolated), the launcher, then ``argv``."""
        limits = self.limits
        launch = [self.translate(self.python), "-I", "-S",
                  LAUNCHER_INSIDE if self.isolated else str(LAUNCHER),
                  "--memory", str(limits.memory), "--processes", str(limits.processes),
                  "--file-size", str(limits.file_size), "--open-files", str(limits.open_files),
                  "--workdir", workdir]
        if self.isolated and not _MODE["userns"]:
            launch += ["--uid", str(slot_uid(self.slot))]
        launch += ["--", *argv]
        if not self.isolated:
            return launch
        box = [self.bwrap, *_namespaces(_MODE["userns"]), "--die-with-parent", "--new-session", "--clearenv",
               *_system_binds(), "--proc", "/proc", "--dev", "/dev",
               "--perms", "1777", "--size", str(limits.tmp_size), "--tmpfs", "/tmp",
               *_parents(LAUNCHER_INSIDE), "--ro-bind", str(LAUNCHER), LAUNCHER_INSIDE]
        for inside, host in sorted(self.binds.items()):
            box += [*_parents(inside), "--ro-bind", str(host), inside]
        for key, value in sorted(env.items()):
            box += ["--setenv", key, value]
        return [*box, "--chdir", "/", "--", *launch]

    def start(self, argv: Sequence[str], env: Mapping[str, str], pass_fds: Sequence[int] = (),
              workdir: str = WORKDIR, stdout: int | None = subprocess.DEVNULL
              ) -> subprocess.Popen[bytes]:
        """Start ``argv`` in the sandbox with exactly ``env``; its output goes to ``stdout``.

        Without bubblewrap the working directory is a fresh temporary directory.
        """
        if not self.isolated:
            workdir = tempfile.mkdtemp(prefix="tt-sandbox-")
            self._scratch.append(workdir)
            argv = [self.translate(arg) for arg in argv]
            env = {key: self.translate(value).replace(WORKDIR, workdir)
                   for key, value in env.items()}
        return subprocess.Popen(
            self.command(argv, env, workdir), env=dict(env), pass_fds=tuple(pass_fds),
            stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.STDOUT,
            start_new_session=True, cwd="/")

    def close(self) -> None:
        """Remove the working directories of unisolated runs."""
        for path in self._scratch:
            shutil.rmtree(path, ignore_errors=True)
        self._scratch.clear()

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL the sandbox's process group (bubblewrap takes its namespace down), reap it,
        and return only once no process of this sandbox's uid is left.

        The kernel tears a PID namespace down asynchronously: its processes can linger for a
        moment after bubblewrap is gone, so they are killed and waited for by uid.
        """
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        if self.isolated and not _MODE["userns"]:
            _kill_uid(slot_uid(self.slot))


_claimed: dict[int, tuple[int, int]] = {}
"""slot -> (uid, the open lock file that holds it) for this process."""
_claiming = threading.Lock()


def slot_uid(slot: int) -> int:
    """The uid of ``slot``'s sandboxes: the first uid from ``SLOT_UID`` that no other process
    holds the lock of and that runs nothing, held until this process exits (the kernel drops
    the lock then, even after a crash)."""
    with _claiming:
        if slot in _claimed:
            return _claimed[slot][0]
        UID_LOCKS.mkdir(mode=0o700, exist_ok=True)
        taken = {uid for uid, _ in _claimed.values()}
        for uid in range(SLOT_UID, SLOT_UID + SLOT_UIDS):
            if uid in taken:
                continue
            fd = os.open(UID_LOCKS / str(uid), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            if _processes_of(uid):  # left over from a grader that was killed: not ours to kill
                os.close(fd)
                continue
            _claimed[slot] = (uid, fd)
            return uid
        raise RuntimeError(f"all {SLOT_UIDS} sandbox uids from {SLOT_UID} are in use")


def claimed_uids() -> list[int]:
    """The uids this process has claimed for its sandboxes."""
    with _claiming:
        return sorted(uid for uid, _ in _claimed.values())


def _processes_of(uid: int) -> dict[int, bool]:
    """The processes running as ``uid``, read from /proc: pid -> whether it is a zombie."""
    found = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines()
                          if ":" in line)
        except OSError:
            continue  # it exited while we looked
        if int(fields.get("Uid", "-1").split()[0]) == uid:
            found[int(status.parent.name)] = fields.get("State", "").strip().startswith("Z")
    return found


def _kill_uid(uid: int, timeout: float = 10.0) -> None:
    """SIGKILL every process of ``uid`` and wait until none is left, zombies included (the
    kernel reaps those as the namespace goes), for at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while (found := _processes_of(uid)) and time.monotonic() < deadline:
        for pid, zombie in found.items():
            if not zombie:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        time.sleep(0.02)


class LineReader:
    """Lines from a pipe, with a timeout per read; over-long lines are cut (a flood cannot
    exhaust the grader's memory)."""

    MAX_LINE = 1 << 16

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""
        self.closed = False

    def read(self, timeout: float) -> list[str] | None:
        """The complete lines that arrived within ``timeout`` seconds ([] if none); None once
        the pipe is closed and drained."""
        if self.closed:
            return None
        ready, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if not ready:
            return []
        chunk = os.read(self.fd, 1 << 16)
        if not chunk:
            self.closed = True
            rest, self.buffer = self.buffer, b""
            return [rest.decode("utf-8", "replace")] if rest else None
        self.buffer += chunk
        *lines, self.buffer = self.buffer.split(b"\n")
        if len(self.buffer) > self.MAX_LINE:
            self.buffer = self.buffer[-self.MAX_LINE:]
        return [line[: self.MAX_LINE].decode("utf-8", "replace") for line in lines]
