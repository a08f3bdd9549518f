"""What every benchmark script measures the same way: its own peak memory and CPU time, the commit it ran
at and the machine it ran on (imported by the scripts as ``_common``; they run with this folder first on
``sys.path``)."""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def peak_mb() -> float:
    """The largest resident set this process has had, in MB (Linux reports ``ru_maxrss`` in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU seconds used by this process (all threads): steadier than wall time on a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def stolen_seconds() -> float | None:
    """CPU seconds the hypervisor has taken from this machine's CPUs since boot (``steal`` in
    ``/proc/stat``), or None where that is not known: time a benchmark waited for a CPU it was given."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = stat.readline().split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def commit() -> str:
    """The checkout's short commit id, or ``unknown`` outside git."""
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or "unknown"


def machine() -> str:
    """When and where a run happens: date, Python, CPUs and the load average (other work on the machine)."""
    load = "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    return (
        f"{time.strftime('%Y-%m-%d %H:%M')}, Python {platform.python_version()}, {os.cpu_count()} CPUs "
        f"({platform.machine()}), {load}"
    )
