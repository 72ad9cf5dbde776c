"""Refreshing on a schedule: a crontab expression read once, then handed to APScheduler
(the foreground scheduler), written as a systemd timer or as a crontab line.

The error messages name ``--cron``, the option of ``courseradar schedule`` that is the only
way an expression reaches this module.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_CRON = "0 4 * * 1"  # Mondays at 04:00: weekly is plenty for course catalogs

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_SYSTEMD_DAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")


class CronError(ValueError):
    """A crontab expression that cannot be read; the message is one line for the user."""


@dataclass(frozen=True)
class CronSpec:
    """A five-field crontab expression read into explicit values (None = every value).

    Read here, not by APScheduler alone, because APScheduler 3's ``from_crontab`` counts
    weekday 0 as Monday where cron counts it as Sunday: the trigger gets weekday *names*,
    so "0 4 * * 1" means Monday in the foreground scheduler, in cron and in systemd alike.
    """

    expr: str
    minute: tuple[int, ...] | None
    hour: tuple[int, ...] | None
    day: tuple[int, ...] | None
    month: tuple[int, ...] | None
    weekday: tuple[int, ...] | None  # 0 = Sunday, as in cron

    def apscheduler(self) -> str:
        """The same schedule as an expression APScheduler reads the cron way."""

        def f(values: tuple[int, ...] | None, names: tuple[str, ...] | None = None) -> str:
            if values is None:
                return "*"
            return ",".join(names[v] if names else str(v) for v in values)

        return " ".join(
            (f(self.minute), f(self.hour), f(self.day), f(self.month), f(self.weekday, _DAYS))
        )

    def systemd(self) -> str:
        """The same schedule as a systemd ``OnCalendar=`` value."""

        def f(values: tuple[int, ...] | None) -> str:
            return "*" if values is None else ",".join(f"{v:02d}" for v in values)

        date = f"*-{f(self.month)}-{f(self.day)}"
        time = f"{f(self.hour)}:{f(self.minute)}:00"
        if self.weekday is None:
            return f"{date} {time}"
        return f"{','.join(_SYSTEMD_DAYS[d] for d in self.weekday)} {date} {time}"


def parse_cron(expr: str) -> CronSpec:
    """Read "minute hour day month weekday" (numbers, names, *, lists, ranges, steps)."""
    parts = expr.split()
    if len(parts) != 5:
        raise CronError(
            f"--cron needs five fields (minute hour day month weekday), e.g. {DEFAULT_CRON!r}; "
            f"got {expr!r}"
        )
    minute = _cron_field(parts[0], 0, 59, "minute")
    hour = _cron_field(parts[1], 0, 23, "hour")
    day = _cron_field(parts[2], 1, 31, "day of month")
    month = _cron_field(parts[3], 1, 12, "month", _MONTHS, 1)
    weekday = _cron_field(parts[4], 0, 7, "weekday", _DAYS, 0)
    if weekday is not None:
        weekday = tuple(sorted({d % 7 for d in weekday}))
        if len(weekday) == 7:
            weekday = None
    if day is not None and weekday is not None:
        raise CronError(
            "--cron restricts both the day of month and the weekday; cron runs on either, "
            "APScheduler only on both: restrict one of them"
        )
    return CronSpec(" ".join(parts), minute, hour, day, month, weekday)


def _cron_field(
    text: str,
    low: int,
    high: int,
    what: str,
    names: tuple[str, ...] | None = None,
    first: int = 0,
) -> tuple[int, ...] | None:
    def number(token: str) -> int:
        token = token.strip().lower()
        if names and token[:3] in names and not token.isdigit():
            return names.index(token[:3]) + first
        if not token.isdigit():
            raise CronError(f"--cron: {what} {token!r} is not a number")
        value = int(token)
        if not low <= value <= high:
            raise CronError(f"--cron: {what} {value} is outside {low}-{high}")
        return value

    values: set[int] = set()
    for part in text.split(","):
        span, _, step_text = part.partition("/")
        step = number(step_text) if step_text else 1
        if step < 1:
            raise CronError(f"--cron: step {step_text!r} of the {what} must be at least 1")
        if span == "*":
            start, end = low, high
            if not step_text:
                return None
        elif "-" in span:
            a, _, b = span.partition("-")
            start, end = number(a), number(b)
            if start > end:
                raise CronError(f"--cron: {what} range {span!r} runs backwards")
        else:
            start = number(span)
            end = high if step_text else start
        values.update(range(start, end + 1, step))
    if what != "weekday" and values == set(range(low, high + 1)):
        return None
    return tuple(sorted(values))


def _executable() -> str:
    """The command that runs this CourseRadar: the script itself, else the venv's one."""
    argv0 = Path(sys.argv[0])
    if argv0.name == "courseradar" and argv0.exists():
        return str(argv0.absolute())
    beside = Path(sys.executable).with_name("courseradar")
    if beside.exists():
        return str(beside)
    found = shutil.which("courseradar")
    if found:
        return str(Path(found).absolute())
    return f"{shlex.quote(sys.executable)} -m catalog"


def _environment() -> dict[str, str]:
    return {k: v for k, v in sorted(os.environ.items()) if k.startswith("COURSERADAR_")}


def _systemd_quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")
    return f'"{escaped}"'


def systemd_units(spec: CronSpec, names: list[str] | None) -> str:
    """A systemd service + timer pair that runs ``courseradar refresh`` on ``spec``."""
    args = "".join(f" --source {_systemd_quote(n)}" for n in names or ())
    env = "".join(f"Environment={_systemd_quote(f'{k}={v}')}\n" for k, v in _environment().items())
    exe = _executable()
    exec_start = exe if " " not in exe or exe.startswith("'") else _systemd_quote(exe)
    return (
        "# ~/.config/systemd/user/courseradar-refresh.service\n"
        "[Unit]\n"
        "Description=CourseRadar: refresh the course catalog\n"
        "Wants=network-online.target\n"
        "After=network-online.target\n"
        "\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"{env}"
        f"ExecStart={exec_start} refresh{args}\n"
        "\n"
        "# ~/.config/systemd/user/courseradar-refresh.timer\n"
        "[Unit]\n"
        f"Description=CourseRadar: refresh schedule (cron {spec.expr})\n"
        "\n"
        "[Timer]\n"
        f"OnCalendar={spec.systemd()}\n"
        "# A run missed while the machine was off starts at the next boot.\n"
        "Persistent=true\n"
        "\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
        "\n"
        "# then: systemctl --user daemon-reload && "
        "systemctl --user enable --now courseradar-refresh.timer\n"
    )


def crontab_line(spec: CronSpec, names: list[str] | None) -> str:
    """One crontab line that runs ``courseradar refresh`` on ``spec`` and keeps a log."""
    from catalog.db import data_dir

    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in _environment().items())
    args = "".join(f" --source {shlex.quote(n)}" for n in names or ())
    log = shlex.quote(str(data_dir() / "refresh.log"))
    command = f"{env + ' ' if env else ''}{_executable()} refresh{args} >> {log} 2>&1"
    # In a crontab line an unescaped % ends the command.
    return f"{spec.expr} {command.replace('%', chr(92) + '%')}\n"


def make_scheduler(spec: CronSpec, job: Callable[[], None]) -> Any:
    """A BlockingScheduler that runs ``job`` on ``spec``: one run at a time, missed runs
    (the machine slept) caught up once within an hour, never stacked."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    scheduler = BlockingScheduler()
    scheduler.add_job(
        job,
        CronTrigger.from_crontab(spec.apscheduler()),
        id="refresh",
        name="courseradar refresh",
        misfire_grace_time=3600,
        coalesce=True,
        max_instances=1,
    )
    return scheduler
