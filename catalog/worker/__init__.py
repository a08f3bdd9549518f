"""Harvest workers on PostgreSQL: a procrastinate queue, the nightly schedule, stalled-job recovery.

``catalog worker`` runs any number of these processes on any number of machines (PostgreSQL only; on the
embedded SQLite default the same schedule is ``catalog harvest --due`` from cron). Modules: ``app``
(the procrastinate app and its three tasks), ``runs`` (what a harvest task does in its thread).

Tasks:

- ``catalog.harvest_source(source_id, tick)``: one run of one source (``catalog.harvest.runner``), in a
  thread of its own so the worker's heartbeat never waits for a batch. Its procrastinate lock is the
  source's, so two workers never harvest one source at once (and the engine's own job lock refuses it
  across processes anyway). A run that failed for a transient reason (portal unreachable, 5xx or 429
  after the fetcher's own retries) is retried with exponential backoff; one that failed for a lasting
  reason (a malformed feed) is not: its report says why.
- ``catalog.schedule_due`` (every minute): queues each source that is due at the latest tick of
  ``harvest.schedule`` (``catalog.harvest.due``), at its spread offset, once: a queueing lock per source
  refuses a second copy while one waits, and a run that finds its source already harvested since the tick
  does nothing.
- ``catalog.retry_stalled`` (every minute): a job whose worker stopped sending heartbeats (killed with
  SIGKILL, its machine gone) is put back in the queue for another worker; the engine then aborts the dead
  run's job once its heartbeat is stale and runs the source again.

On SIGTERM a worker stops taking jobs, lets running harvests finish for ``worker.shutdown_grace_seconds``,
then asks them to stop at their next batch (whole batches stay, nothing is withdrawn) and puts their jobs
back in the queue.
"""

from __future__ import annotations

from catalog.worker.app import HARVEST_TASK, QUEUE, make_app, queue_depth, queue_source

__all__ = ["HARVEST_TASK", "QUEUE", "make_app", "queue_depth", "queue_source"]
