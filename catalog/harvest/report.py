"""What a harvest run did: its status, counts, failures, and a summary fit for a terminal or a log."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

__all__ = ["COUNT_ORDER", "HarvestReport", "LoggedRecord"]

COUNT_ORDER = ("created", "updated", "unchanged", "restored", "linked", "withdrawn", "skipped", "failed")
_SHOWN_FAILURES = 20


@dataclass(frozen=True, slots=True)
class LoggedRecord:
    """A record that failed or was skipped, as the report lists it."""

    remote_id: str | None
    action: str
    reason: str
    url: str | None = None


@dataclass
class HarvestReport:
    """The outcome of one run of one source.

    ``status`` is that of the job: ``succeeded``, ``partial`` (some records failed, a withdrawal was
    held, or a limit cut the run short), ``failed`` (the listing could not be read to its end: ``error``
    says where and why) or ``aborted`` (the run was interrupted). A dry run has no job (``job_id``
    None) and writes nothing; its counts are what a real run would have done.
    """

    source_id: int
    source_name: str
    job_id: int | None = None
    status: str = "running"
    dry_run: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[LoggedRecord] = field(default_factory=list)
    """Failed and skipped records (the first ``max_problems``; the counts hold them all)."""
    error: str | None = None
    complete: bool = False
    """The gather ran to its end over the whole catalogue (withdrawal was considered)."""
    held_withdrawals: int = 0
    """Records no longer listed that were not withdrawn because they were more than the allowed share."""
    transient: bool = False
    """A failed run failed because the portal was unreachable, slow or overloaded: worth retrying later."""
    aborted_jobs: list[int] = field(default_factory=list)
    """Stale running jobs of the source (their process was killed) that this run marked aborted."""
    seconds: float = 0.0
    max_problems: int = 1000
    quality: Counter[str] = field(default_factory=Counter)
    """What scoring found in the records written: ``scored``, per band, ``violations``, ``warnings``."""

    @property
    def processed(self) -> int:
        """Records handled so far (every count but withdrawn)."""
        return sum(n for key, n in self.counts.items() if key != "withdrawn")

    @property
    def failed(self) -> int:
        return self.counts["failed"]

    def note(self, record: LoggedRecord) -> None:
        """Count a failed or skipped record and keep it for the summary (up to ``max_problems``)."""
        self.counts[record.action] += 1
        if len(self.problems) < self.max_problems:
            self.problems.append(record)

    def stats(self) -> dict[str, int]:
        """The counts as the job stores them."""
        return {key: self.counts[key] for key in COUNT_ORDER}

    def counts_line(self) -> str:
        parts = [f"{key} {self.counts[key]}" for key in COUNT_ORDER if self.counts[key]]
        return ", ".join(parts) or "nothing"

    def summary(self) -> str:
        """A few lines: status and counts, then why it failed or held, then the first failures."""
        job = "dry run" if self.dry_run else f"job {self.job_id}"
        lines = [f"{self.source_name} ({job}): {self.status}; {self.counts_line()} ({self.seconds:.1f} s)"]
        if self.quality["scored"]:
            q = self.quality
            bands = ", ".join(f"{band} {q[band]}" for band in ("excellent", "good", "sufficient", "bad"))
            lines.append(f"quality: scored {q['scored']} ({bands}); {q['violations']} violations")
        if self.aborted_jobs:
            ids = ", ".join(str(i) for i in self.aborted_jobs)
            lines.append(f"aborted stale job {ids}: its process stopped without finishing")
        if self.error:
            plain = self.held_withdrawals or self.status == "partial"
            lines.append(self.error if plain else f"error: {self.error}")
        failures = [p for p in self.problems if p.action == "failed"]
        for problem in failures[:_SHOWN_FAILURES]:
            where = f" ({problem.url})" if problem.url else ""
            lines.append(f"failed {problem.remote_id or '?'}{where}: {problem.reason}")
        if self.failed > _SHOWN_FAILURES:
            lines.append(f"... and {self.failed - _SHOWN_FAILURES} more failures")
        return "\n".join(lines)
