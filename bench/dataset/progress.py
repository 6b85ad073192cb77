"""Progress lines while the dataset loads: per table, rows done out of the total, rows per
second, and the time elapsed; at most one line a second."""

import time
from collections.abc import Callable


def number(n: float) -> str:
    """12 345 678: French thousands separator."""
    return f"{round(n):,}".replace(",", " ")


def duration(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}"


class Progress:
    def __init__(
        self,
        write: Callable[[str], None],
        *,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.write, self.interval, self.clock = write, interval, clock
        self.started = clock()
        self.phase, self.phase_started, self.last = "", self.started, float("-inf")
        self.totals: dict[str, tuple[int, bool]] = {}  # label: (total, estimated)
        self.done: dict[str, int] = {}

    def start(self, phase: str, totals: dict[str, int], estimated: tuple[str, ...] = ()) -> None:
        self.phase, self.phase_started = phase, self.clock()
        self.totals = {label: (total, label in estimated) for label, total in totals.items()}
        self.done = dict.fromkeys(totals, 0)
        self.write(f"[{duration(self.phase_started - self.started)}] {phase}…")

    def add(self, label: str, rows: int) -> None:
        self.done[label] = self.done.get(label, 0) + rows
        if self.clock() - self.last >= self.interval:
            self.show()

    def show(self) -> None:
        now = self.clock()
        self.last = now
        spent = max(now - self.phase_started, 1e-6)
        parts = []
        for label, (total, estimated) in self.totals.items():
            done = self.done.get(label, 0)
            about = "≈" if estimated else ""
            share = f" ({100 * done / total:.0f} %)" if total and not estimated else ""
            parts.append(
                f"{label} {number(done)}/{about}{number(total)}{share} {number(done / spent)}/s"
            )
        self.write(f"[{duration(now - self.started)}] " + " · ".join(parts))

    def finish(self) -> float:
        """Show the phase's last line; return how long the phase took."""
        self.show()
        return self.clock() - self.phase_started
