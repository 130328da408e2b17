"""The trusted first process inside a grading sandbox: set limits, drop root, exec the command.

    python -I -S sandbox_launch.py --memory B --processes N --file-size B --open-files N
        [--uid U] [--workdir DIR] -- COMMAND...

Run by ``tools/sandbox.py`` as the sandbox's command (before any student code exists in the
process tree). It sets the rlimits (address space, processes, file size, open files, no core
dumps), and when it runs as root with ``--uid``, creates ``--workdir`` for that user, drops every
group and switches to that unprivileged uid (which clears all capabilities: a process count per
uid is only enforced for non-root users). Then it execs COMMAND with the environment it got.
Standard library only; nothing here imports or reads the submission.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="sandbox_launch")
    parser.add_argument("--memory", type=int, required=True, help="RLIMIT_AS in bytes")
    parser.add_argument("--processes", type=int, required=True, help="RLIMIT_NPROC")
    parser.add_argument("--file-size", type=int, required=True, help="RLIMIT_FSIZE in bytes")
    parser.add_argument("--open-files", type=int, required=True, help="RLIMIT_NOFILE")
    parser.add_argument("--uid", type=int, help="switch to this uid and gid (root only)")
    parser.add_argument("--workdir", help="create this directory for --uid and chdir into it")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command to run")
    for limit, value in ((resource.RLIMIT_AS, args.memory), (resource.RLIMIT_NPROC, args.processes),
                         (resource.RLIMIT_FSIZE, args.file_size),
                         (resource.RLIMIT_NOFILE, args.open_files), (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(limit, (value, value))
    if args.workdir:
        os.makedirs(args.workdir, exist_ok=True)
    if args.uid is not None and os.getuid() == 0:
        if args.workdir:
            os.chown(args.workdir, args.uid, args.uid)
        os.setgroups([])
        os.setgid(args.uid)
        os.setuid(args.uid)  # from root to a plain uid: every capability is dropped
        if os.getuid() != args.uid or os.geteuid() != args.uid:
            raise SystemExit("sandbox_launch: could not drop root")
    if args.workdir:
        os.chdir(args.workdir)
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
