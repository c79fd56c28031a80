"""What the benchmarks print about the machine: its CPU, and how busy other programs kept it."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def cpu_name() -> str:
    """The CPU's model name (Linux), or whatever the platform module knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> str:
    """The 1, 5 and 15 minute load averages as `uptime` prints them, or 'unknown'."""
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return "unknown"


class LoadMeter:
    """Share of the machine's CPU time that *other* processes used while it was open.

    Linux only (reads /proc/stat); elsewhere it reports nothing. A benchmark is only
    trustworthy on a quiet machine, so this is printed next to the numbers.
    ``exclude_children``: count the CPU time of this process's finished child
    processes as its own (a notebook kernel we started is not "another program").
    """

    def __init__(self, exclude_children: bool = False):
        self.exclude_children = exclude_children

    def __enter__(self):
        self.start = self._sample()
        return self

    def __exit__(self, *exc):
        self.end = self._sample()

    def _sample(self):
        try:
            fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        except (OSError, ValueError):
            return None
        busy = sum(fields) - fields[3] - fields[4]          # all but idle and iowait
        times = os.times()
        own = times[0] + times[1] + (times[2] + times[3] if self.exclude_children else 0)
        return busy, sum(fields), own * os.sysconf("SC_CLK_TCK")   # in clock ticks

    def others(self):
        """Fraction 0..1 of all CPU time used by other processes, or None."""
        if self.start is None or self.end is None:
            return None
        busy, total, own = (e - s for e, s in zip(self.end, self.start))
        return max(0.0, (busy - own) / total) if total > 0 else None
