"""Writing the API's audit rows with group commit: requests hand their events to one writer thread per
process, which appends everything that queued during the previous commit in one transaction
(`app.audit.record_requests`). A request still answers only after its own rows are committed, and gets
`AuditUnavailable` when they could not be; the event loop never waits on SQLite's lock. Settings: as
`app.audit` (`CAMPUS_AUDIT_DB`)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future

from app import audit

# At most this many requests in one transaction: a bounded wait for the first of them.
MAX_BATCH = 256

_Item = tuple[Sequence[audit.Event], "Future[str]"]


class AuditWriter:
    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
        self._started = False
        self._lock = threading.Lock()

    def submit(self, events: Sequence[audit.Event]) -> Future[str]:
        """The request's id once its events are committed (or AuditUnavailable)."""
        with self._lock:
            if not self._started:
                self._thread.start()
                self._started = True
        done: Future[str] = Future()
        self._queue.put((events, done))
        return done

    def stop(self) -> None:
        if self._started:
            self._queue.put(None)
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)  # stop after this batch
                    break
                batch.append(item)
            try:
                ids = audit.record_requests([events for events, _ in batch])
            except Exception as error:  # every waiting request learns its rows were not written
                failure = (
                    error
                    if isinstance(error, audit.AuditUnavailable)
                    else audit.AuditUnavailable(
                        f"The access audit cannot be written ({type(error).__name__})."
                    )
                )
                for _, done in batch:
                    done.set_exception(failure)
                continue
            for (_, done), request_id in zip(batch, ids, strict=True):
                done.set_result(request_id)
