"""Test databases: each test gets its own copy of a template migrated once per run."""

from __future__ import annotations

import hashlib
import importlib.util
import re
from collections.abc import Sequence
from pathlib import Path

import asyncpg

from shared import db
from testkit.namespace import ADMIN_DSN, NAMESPACE, namespaced


async def fresh_database(name: str, owner: str, *, migrations: Sequence[Path] = ()) -> str:
    """Drop and create database `name` (in the test namespace) owned by role `owner`; returns the owner's DSN.

    With `migrations` (directories in `db.migrate` order), the database is a copy of a template
    migrated once per run and per set of migration files (`CREATE DATABASE … TEMPLATE`): a test
    starts from the migrated schema in milliseconds instead of applying every migration again."""
    name = namespaced(name)
    template = await _migrated_template(name, owner, migrations) if migrations else None
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        source = f' TEMPLATE "{template}"' if template else ""
        await conn.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"{source}')
        await conn.execute(f'REVOKE CONNECT ON DATABASE "{name}" FROM PUBLIC')
    finally:
        await conn.close()
    return _dsn(owner, name)


def _dsn(owner: str, database: str) -> str:
    return f"postgresql://{owner}:{owner}-dev-password@127.0.0.1:5432/{database}"


def migrations_key(migrations: Sequence[Path]) -> str:
    """A digest of the migration files' ids and contents: a changed or added file makes a new key."""
    digest = hashlib.sha256()
    for mig_id, path in db.migration_files(migrations):
        digest.update(mig_id.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


_templates: dict[tuple[str, str], str] = {}  # (database, key) -> template made or found in this run


async def _migrated_template(database: str, owner: str, migrations: Sequence[Path]) -> str:
    """The name of `database`'s template for these migrations, made (once) if missing.

    Built under a temporary name and renamed when complete, so an interrupted build is never
    cloned; templates of other keys for the same database are dropped. An advisory lock keeps two
    processes of one namespace from building the same template twice."""
    key = migrations_key(migrations)
    cached = _templates.get((database, key))
    if cached is not None:
        return cached
    base = database.removesuffix(f"_{NAMESPACE}") if NAMESPACE else database
    template = namespaced(f"{base}_tpl_{key}")
    stale = re.compile(
        rf"{re.escape(base)}_tpl_[0-9a-f]{{12}}(_building)?{re.escape(f'_{NAMESPACE}' if NAMESPACE else '')}"
    )
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        await admin.execute("SELECT pg_advisory_lock(hashtext($1))", template)
        try:
            names = {r["datname"] for r in await admin.fetch("SELECT datname FROM pg_database")}
            for old in sorted(n for n in names if stale.fullmatch(n) and n != template):
                await admin.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
            if template not in names:
                building = namespaced(f"{base}_tpl_{key}_building")
                await admin.execute(f'CREATE DATABASE "{building}" OWNER "{owner}"')
                await admin.execute(f'REVOKE CONNECT ON DATABASE "{building}" FROM PUBLIC')
                conn = await db.connect(_dsn(owner, building))
                try:
                    await db.migrate(conn, migrations)
                finally:
                    await conn.close()
                await admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
        finally:
            await admin.execute("SELECT pg_advisory_unlock(hashtext($1))", template)
    finally:
        await admin.close()
    _templates[(database, key)] = template
    return template


def service_migrations(package: str) -> list[Path]:
    """The migration directories a service applies at start-up, in order: the kit's, then its own."""
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.origin is not None, package
    return [db.KIT_MIGRATIONS, Path(spec.origin).parent / "migrations"]
