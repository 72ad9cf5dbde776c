"""Count how many threads are inside a function at once: for tests of "one at a time"."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest


class Overlap:
    """Wraps ``owner.name`` (via monkeypatch) so each call holds for ``hold`` seconds, long
    enough for a second thread to arrive; ``most`` is the largest number inside at once,
    ``calls`` how many calls there were."""

    def __init__(
        self, monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, hold: float = 0.1
    ) -> None:
        self.most = 0
        self.calls = 0
        self._active = 0
        self._guard = threading.Lock()
        real = getattr(owner, name)

        def tracked(*args: Any, **kwargs: Any) -> Any:
            with self._guard:
                self._active += 1
                self.calls += 1
                self.most = max(self.most, self._active)
            try:
                time.sleep(hold)
                return real(*args, **kwargs)
            finally:
                with self._guard:
                    self._active -= 1

        monkeypatch.setattr(owner, name, tracked)
