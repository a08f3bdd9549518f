"""API-started harvests on the workers' queue: the ``Launcher`` the web service uses at scale.

With ``server.harvest_runs = "queue"`` (PostgreSQL), ``POST /api/sources/{id}/harvest`` claims the job as
in embedded mode (a second run is refused at once) and queues it for the workers instead of running it
in a thread of the web process. A worker then runs that very job; if the job is no longer running when a
worker gets to it (its claim went stale while every worker was busy, and another run took the source
over), the worker leaves it alone.
"""

from __future__ import annotations

import asyncio

from catalog.db.jobs import JobRunning
from catalog.harvest.control import ClaimedRun
from catalog.settings import Settings

__all__ = ["QueueLauncher"]


class QueueLauncher:
    """Queues claimed runs for ``catalog worker`` processes (see the module docstring)."""

    def __init__(self, settings: Settings) -> None:
        from catalog.worker.app import conninfo

        conninfo(settings.database.url)  # PostgreSQL only, refused at start with the reason
        self.settings = settings

    async def _queue(self, run: ClaimedRun) -> int | None:
        from catalog.worker.app import make_app, queue_source

        app = make_app(self.settings)
        async with app.open_async():
            return await queue_source(
                app, run.source_id, job_id=run.job_id, confirm_withdrawal=run.confirm_withdrawal
            )

    def submit(self, run: ClaimedRun) -> None:
        """Queue the run (called from a request's worker thread, where no event loop runs)."""
        if asyncio.run(self._queue(run)) is None:
            raise JobRunning(f"a run of source {run.source_id} is waiting in the queue already")

    def shutdown(self, *, wait: bool = True) -> None:
        """Nothing runs here: the queue keeps what was submitted."""
