"""``python -m catalog`` is the ``courseradar`` command."""

from catalog.cli import main

main()
