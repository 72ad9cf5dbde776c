"""``courseradar serve`` and ``courseradar schedule``: the commands that keep running, the
app's server and the refresh on a timetable (read by :mod:`catalog.schedule`)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from catalog.cli import common
from catalog.cli.common import UserError, err, out, plain, save_snapshot
from catalog.cli.refresh import SourceOpt, check_names, print_reports
from catalog.schedule import DEFAULT_CRON


def serve(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8501,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    headless: Annotated[bool, typer.Option(help="Do not open a browser.")] = False,
) -> None:
    """Start the Streamlit app on the catalog."""
    from ui.server import run

    run(port, host, open_browser=not headless)


def schedule(
    cron: Annotated[
        str, typer.Option(help="When to refresh, as a crontab expression.")
    ] = DEFAULT_CRON,
    print_as: Annotated[
        str | None,
        typer.Option("--print", help="Print a systemd timer or a crontab line instead: "
                     "systemd or cron."),
    ] = None,
    source: SourceOpt = None,
) -> None:  # fmt: skip
    """Refresh on a schedule in the foreground, or print a systemd timer / crontab line."""
    from catalog.schedule import CronError, crontab_line, make_scheduler, parse_cron, systemd_units

    try:
        spec = parse_cron(cron)
    except CronError as exc:
        raise UserError(str(exc)) from None
    names = check_names(source)
    if print_as is not None:
        if print_as == "systemd":
            sys.stdout.write(systemd_units(spec, names))
        elif print_as == "cron":
            sys.stdout.write(crontab_line(spec, names))
        else:
            raise UserError(f"--print takes systemd or cron, not {print_as!r}")
        return
    from catalog.refresh import refresh_sources

    eng = common.engine()

    def job() -> None:
        reports = refresh_sources(eng, names)
        save_snapshot(eng)
        print_reports(reports, out)

    scheduler = make_scheduler(spec, job)
    err.print(plain(f"refreshing on {spec.expr!r} (Ctrl-C stops); next run at the first match"))
    scheduler.start()
