"""The import use case: every row through the same rules as a single registration, written in
batches (one COPY per table, the batch's outbox rows included, in one transaction).

The roster is read as a stream (bytes or a binary file): rows are parsed as they are needed,
at most two batches are in memory at a time (one being validated, one being written)."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import islice
from typing import Any, BinaryIO, TypeVar
from uuid import UUID, uuid4

import asyncpg
import structlog

from registry.domain.organisation import Filing, Organisation, Registration
from registry.domain.platform import Platform
from registry.handlers.orgs import NewOrg, commit_new, prepare_filing, prepare_registration
from registry.importer.roster import RosterRow, RowError, read_roster
from registry.store import OrgStore, ProgrammeStore
from shared import context
from shared.auth import Principal
from shared.errors import DomainError, Invalid
from shared.messaging import outbox

log = structlog.get_logger("registry.importer")

Transaction = Callable[[], AbstractAsyncContextManager[asyncpg.Connection]]
T = TypeVar("T")


@dataclass
class ImportReport:
    """What an import did: rows read, organisations imported, and every rejected row with its reason."""

    import_id: UUID
    total_rows: int = 0
    imported: int = 0
    rejected: list[RowError] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "import_id": str(self.import_id),
            "total_rows": self.total_rows,
            "imported": self.imported,
            "rejected_count": len(self.rejected),
            "rejected": [{"row": e.row, "field": e.field, "reason": e.reason} for e in self.rejected],
            "seconds": round(self.seconds, 3),
            "rows_per_second": round(self.rows_per_second, 1),
        }


def _chunks(items: Iterable[T], size: int) -> Iterable[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _field_of(exc: DomainError) -> str:
    return exc.field if isinstance(exc, Invalid) else "(row)"


async def import_roster(*args: Any, **kwargs: Any) -> ImportReport:
    """Validate every row, reject the bad ones with reasons, import the rest with their events.

    One import is one correlation: every event it causes carries the caller's correlation id,
    or the import's own when there is none (the CLI).
    """
    correlation = context.correlation_id()
    with (
        context.bound(correlation_id=correlation or f"import-{uuid4()}", causation_id=context.causation_id()),
        _lighter_collections(),
    ):
        return await _import_roster(*args, **kwargs)


# The garbage collector and an import: the import keeps a batch or two of rows alive at a
# time (tens of thousands of container objects), enough to trigger a full collection about
# once per batch, and each full collection walks every object of the process as well (the
# app, the broker client, …): 4.4 of the 30 CPU-s of a 100,000-row HTTP import went to full
# collections (1.8 with the freeze; all collections 6.0 → 4.0). So the objects that exist when
# the import starts are frozen (`gc.freeze`: moved out of the collector's reach, still freed by
# reference counting as usual) and thawed when it ends; collections during the import walk
# only newer objects. The collector's thresholds are not changed: cycles made meanwhile (the
# relay's, other requests') are still collected as often as before. Nested imports share it;
# a process that froze objects itself is left alone (unfreeze would thaw those too): the
# services freeze their start-up objects (`shared/service.py`), so this is for the CLI importer.
_gc_users = 0
_gc_frozen_here = False


@contextmanager
def _lighter_collections() -> Iterator[None]:
    global _gc_users, _gc_frozen_here
    if _gc_users == 0 and gc.get_freeze_count() == 0:
        gc.freeze()
        _gc_frozen_here = True
    _gc_users += 1
    try:
        yield
    finally:
        _gc_users -= 1
        if _gc_users == 0 and _gc_frozen_here:
            gc.unfreeze()
            _gc_frozen_here = False


async def _import_roster(
    transaction: Transaction,
    source: bytes | BinaryIO,
    *,
    principal: Principal,
    now: datetime,
    filename: str | None = None,
    batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    started = time.perf_counter()
    report = ImportReport(import_id=uuid4())
    audit = _Audit(transaction, report, actor=principal.sub, started_at=now, filename=filename)
    try:
        await _validate_and_write(transaction, source, report, principal, now, batch_size, progress)
    except BaseException as exc:
        # Earlier batches are committed with their events: the record says how far it got and why
        # it stopped, so nobody has to guess what a failed upload left behind.
        report.seconds = time.perf_counter() - started
        await audit.failed(exc)
        raise
    report.seconds = time.perf_counter() - started
    await audit.record(failure=None)
    log.info(
        "roster_imported",
        import_id=str(report.import_id),
        rows=report.total_rows,
        imported=report.imported,
        rejected=len(report.rejected),
        rows_per_second=round(report.rows_per_second, 1),
    )
    return report


async def _validate_and_write(
    transaction: Transaction,
    source: bytes | BinaryIO,
    report: ImportReport,
    principal: Principal,
    now: datetime,
    batch_size: int,
    progress: Callable[[int], None] | None,
) -> None:
    # The UTF-8 pass and the header read touch the whole file / the disk: off the event loop.
    rows, header_errors = await asyncio.to_thread(read_roster, source)
    report.rejected += header_errors
    async with transaction() as conn:
        rules = _Rules(await OrgStore(conn).platforms(), principal, now, report)
    # Pipelined: while one batch is being written, the next one is validated.
    writing: asyncio.Task[None] | None = None
    try:
        for chunk in _chunks(rows, batch_size):
            report.total_rows += len(chunk)
            wanted = _sponsor_codes(chunk)
            sponsors: dict[str, Organisation] = {}
            if wanted:
                # Groups named with their sponsor: the rows before these must be in the registry first.
                if writing is not None:
                    await writing
                    writing = None
                async with transaction() as conn:
                    sponsors = await OrgStore(conn).by_codes(sorted(wanted))
            ready = await rules.validate(chunk, wanted, sponsors)
            if writing is not None:
                await writing
            writing = asyncio.create_task(_write(transaction, ready, report, principal.sub, progress, len(chunk)))
            await asyncio.sleep(0)
    except BaseException:
        if writing is not None:  # the batch in flight commits or fails on its own: count it first
            await asyncio.wait({writing})
            if not writing.cancelled():
                writing.exception()  # retrieved (not logged as lost): the failure raised is the first one
        raise
    if writing is not None:
        await writing


async def _write(
    transaction: Transaction,
    ready: list[tuple[int, NewOrg]],
    report: ImportReport,
    actor: str,
    progress: Callable[[int], None] | None,
    rows_in_chunk: int,
) -> None:
    """Write one validated batch with its events in one transaction; codes registered meanwhile are rejected."""
    async with transaction() as conn:
        store = OrgStore(conn)
        taken = await store.codes_taken([n.org.credit_code for _, n in ready if n.org.credit_code])
        fresh = []
        for row, n in ready:
            if n.org.credit_code in taken:
                report.rejected.append(RowError(row, "credit_code", f"统一社会信用代码 {n.org.credit_code} 已登记"))
            else:
                fresh.append(n)
        events = await commit_new(store, fresh, actor=actor)
        await outbox.add(conn, events, fresh=True)  # one COPY, in the same transaction as the orgs
    report.imported += len(fresh)
    if progress is not None:
        progress(rows_in_chunk)


@dataclass
class _Audit:
    """Writes an import's record (`imports`) when it ends, completed or failed."""

    transaction: Transaction
    report: ImportReport
    actor: str
    started_at: datetime
    filename: str | None

    async def record(self, *, failure: str | None) -> None:
        self.report.rejected.sort(key=lambda e: e.row)
        async with self.transaction() as conn:
            await ProgrammeStore(conn).record_import(
                self.report.import_id,
                filename=self.filename,
                actor=self.actor,
                started_at=self.started_at,
                finished_at=datetime.now(self.started_at.tzinfo),
                total_rows=self.report.total_rows,
                imported=self.report.imported,
                rejected=self.report.as_dict()["rejected"],
                failure=failure,
            )

    async def failed(self, exc: BaseException) -> None:
        reason = f"{type(exc).__name__}: {exc}"[:1000]
        report = self.report
        log.error("roster_import_failed", import_id=str(report.import_id), imported=report.imported, reason=reason)
        try:
            await self.record(failure=reason)
        except Exception as again:  # the database may be what failed: the log line above stays
            log.error("roster_import_not_recorded", import_id=str(self.report.import_id), error=str(again))


def _sponsor_codes(chunk: list[RosterRow | list[RowError]]) -> set[str]:
    return {
        item.command.sponsor_credit_code
        for item in chunk
        if isinstance(item, RosterRow) and isinstance(item.command, Filing) and item.command.sponsor_credit_code
    }


def _sponsored(cmd: Filing, sponsors: Mapping[str, Organisation]) -> tuple[Filing, dict[UUID, Organisation]]:
    """The filing with the sponsor its row names by credit code, as the organisation registered under it."""
    code = cmd.sponsor_credit_code
    if code is None:
        return cmd, {}
    sponsor = sponsors.get(code)
    if sponsor is None:
        raise Invalid("sponsor_credit_code", f"支持单位 {code} 未登记：须已在登记系统中，或在本文件中先于该组织登记")
    return replace(cmd, sponsor_org_id=sponsor.org_id), {sponsor.org_id: sponsor}


@dataclass
class _Rules:
    """Every row through the rules of a single registration or filing, plus the file's own:
    a credit code appears once in the file (`seen_codes`: code → the row that had it first)."""

    platforms: dict[str, Platform]
    principal: Principal
    now: datetime
    report: ImportReport
    seen_codes: dict[str, int] = field(default_factory=dict)

    async def validate(
        self, chunk: list[RosterRow | list[RowError]], wanted: set[str], sponsors: dict[str, Organisation]
    ) -> list[tuple[int, NewOrg]]:
        """The chunk's rows that pass, ready to write; the others go to the report. It yields to the
        loop every few rows so the writer's statements keep going meanwhile."""
        ready: list[tuple[int, NewOrg]] = []
        for i, item in enumerate(chunk):
            if i % 250 == 0:
                await asyncio.sleep(0)
            if isinstance(item, list):
                self.report.rejected += item
                continue
            new = self.prepare(item, sponsors)
            if new is not None:
                ready.append((item.row, new))
                code = new.org.credit_code
                if code is not None and code in wanted and code not in sponsors:
                    sponsors[code] = new.org  # a sponsor registered earlier in this batch
        return ready

    def prepare(self, item: RosterRow, sponsors: Mapping[str, Organisation]) -> NewOrg | None:
        cmd, principal, now = item.command, self.principal, self.now
        try:
            if isinstance(cmd, Registration):
                new = prepare_registration(cmd, platforms=self.platforms, principal=principal, now=now)
            else:
                filing, named = _sponsored(cmd, sponsors)
                new = prepare_filing(filing, platforms=self.platforms, sponsors=named, principal=principal, now=now)
        except DomainError as exc:
            field_name = _field_of(exc)
            # The roster names a sponsor by its code: report the column the row has.
            reported = "sponsor_credit_code" if field_name == "sponsor_org_id" else field_name
            self.report.rejected.append(RowError(item.row, reported, exc.message))
            return None
        code = new.org.credit_code
        if code is not None:
            if code in self.seen_codes:
                self.report.rejected.append(
                    RowError(item.row, "credit_code", f"与第 {self.seen_codes[code]} 行的代码重复")
                )
                return None
            self.seen_codes[code] = item.row
        return new


def pool_transaction(pool: asyncpg.Pool) -> Transaction:
    """A transaction factory on a pool (the direct-database mode of the importer)."""

    @asynccontextmanager
    async def tx() -> AsyncIterator[asyncpg.Connection]:
        async with pool.acquire() as conn, conn.transaction():
            yield conn

    return tx
