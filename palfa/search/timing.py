"""Wall-clock time of each search stage, reported in timing.json."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class StageTimer:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start

    def write(self, path: Path) -> None:
        total = {**{k: round(v, 3) for k, v in self.seconds.items()},
                 "total": round(sum(self.seconds.values()), 3)}
        path.write_text(json.dumps(total, indent=2))
