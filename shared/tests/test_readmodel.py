"""The versioned read-model upsert on the real database: newest snapshot wins in any order."""

from __future__ import annotations

from uuid import uuid4

import asyncpg

from shared.readmodel import versioned_upsert

UPSERT = versioned_upsert("orgs_rm", "org_id", ["name"])


async def test_a_snapshot_applies_only_when_newer_whatever_the_arrival_order(kit_dsn):
    conn = await asyncpg.connect(kit_dsn)
    try:
        await conn.execute(
            "CREATE TABLE orgs_rm (org_id uuid PRIMARY KEY, version int NOT NULL, name text NOT NULL,"
            " updated_at timestamptz NOT NULL DEFAULT now())"
        )
        org = uuid4()
        applied = [await conn.fetchval(UPSERT, org, v, f"v{v}") is not None for v in (2, 1, 3, 3)]
        assert applied == [True, False, True, False]
        assert await conn.fetchval("SELECT name FROM orgs_rm WHERE org_id = $1", org) == "v3"
    finally:
        await conn.close()


async def test_a_composite_key_keeps_each_key_apart(kit_dsn):
    upsert = versioned_upsert("entries_rm", ("kind", "key"), ["name"])
    conn = await asyncpg.connect(kit_dsn)
    try:
        await conn.execute(
            "CREATE TABLE entries_rm (kind text, key text, version int NOT NULL, name text NOT NULL,"
            " updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (kind, key))"
        )
        applied = [
            await conn.fetchval(upsert, kind, "k1", v, f"{kind}{v}") is not None
            for kind, v in (("org", 2), ("purchaser", 1), ("org", 1), ("purchaser", 2))
        ]
        assert applied == [True, True, False, True]
        rows = await conn.fetch("SELECT kind, name FROM entries_rm ORDER BY kind")
        assert [(r["kind"], r["name"]) for r in rows] == [("org", "org2"), ("purchaser", "purchaser2")]
    finally:
        await conn.close()
