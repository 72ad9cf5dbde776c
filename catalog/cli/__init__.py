"""The ``courseradar`` command line (Typer + rich): a thin front end over the library.

One module per command group; :mod:`catalog.cli.common` holds what they share and
:mod:`catalog.cli.entry` the app and :func:`main`. Nothing outside this package imports it.
"""

from catalog.cli.entry import app, main

__all__ = ["app", "main"]
