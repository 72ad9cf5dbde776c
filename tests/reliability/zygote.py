"""A pre-forking launcher of `courseradar` commands, for the kill -9 tests.

Why: each kill -9 run needs a fresh process, and a fresh Python spends a second or more
importing before the refresh even starts, so twenty runs per dialect would take minutes of
which almost nothing is the refresh. This process imports the CLI once, then forks one
child per command; the child runs the real entry point (``catalog.cli.main``) with the
given argv and environment, exactly as the ``courseradar`` script would, and the test
kills it with SIGKILL like any other process. The parent is single-threaded and opens no
database or socket before forking, so the child starts clean.

Protocol (one JSON object per line on stdin, one answer per line on stdout):
``{"run": [argv...], "env": {...}, "log": path}`` -> ``{"pid": n}``;
``{"wait": pid}`` -> ``{"pid": n, "exitcode": int | null, "signal": int | null}``.
End of input ends the launcher.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

# Run as a script from the repository: make the project importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import catalog.cli
import catalog.normalize
import catalog.refresh
import scrapers.futurelearn
import scrapers.xikolo  # noqa: F401


def _child(argv: list[str], env: dict[str, str], log: str) -> None:
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.environ.clear()
    os.environ.update(env)
    sys.argv = ["courseradar", *argv]
    code = 0
    try:
        catalog.cli.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 70
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main() -> None:
    for line in sys.stdin:
        command = json.loads(line)
        if "run" in command:
            pid = os.fork()
            if pid == 0:
                _child(command["run"], command["env"], command["log"])
            answer: dict[str, object] = {"pid": pid}
        else:
            pid, status = os.waitpid(int(command["wait"]), 0)
            answer = {
                "pid": pid,
                "exitcode": os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else None,
                "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            }
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
