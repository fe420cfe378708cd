"""Operators' commands for the console, run where its settings are (CONSOLE_* environment):

    python -m console.admin invite --login alice --name 李华 --email alice@example.org --role district_admin
    python -m console.admin client demo --role district_admin          # prints the client secret once
    python -m console.admin keys rotate | keys retire <kid> | keys list

`invite` is how the first district admin gets an account (it prints the one-time link, and the
invitation event goes out through the outbox like any other); `client` adds or re-keys a service
account of the client-credentials grant; `keys` changes the issuer's key ring, which the running
console picks up before its next signature.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta
from uuid import UUID

from console.config import Settings
from console.domain.accounts import Grant, Profile
from console.domain.passwords import Hasher
from console.domain.secrets import new_secret
from console.handlers.accounts import Links, invite
from console.service import MIGRATIONS
from console.store import stores
from console.store.sessions import Client
from shared import db
from shared.auth.keys import KeyRing
from shared.clock import real_now
from shared.messaging import outbox


def _grant(args: argparse.Namespace) -> Grant:
    return Grant.of(
        args.role,
        street=args.street,
        community=args.community,
        purchaser=args.purchaser,
        org_id=UUID(args.org_id) if args.org_id else None,
    )


async def _invite(settings: Settings, args: argparse.Namespace) -> str:
    conn = await db.connect(settings.database_url)
    try:
        await db.migrate(conn, [db.KIT_MIGRATIONS, MIGRATIONS])
        links = Links(
            settings.base_url, timedelta(days=settings.invitation_days), timedelta(hours=settings.reset_hours)
        )
        async with conn.transaction():
            s = stores(conn)
            _, events = await invite(
                s.accounts,
                Profile(args.login, args.name, args.email, args.phone),
                [_grant(args)],
                actor="operator",
                now=real_now(),
                links=links,
            )
            await outbox.add(conn, events)
        return str(events[0].invitation_url)  # type: ignore[attr-defined]
    finally:
        await conn.close()


async def _client(settings: Settings, args: argparse.Namespace) -> str:
    secret = args.secret or new_secret()
    hashed = Hasher(time_cost=settings.argon2_time_cost, memory_kib=settings.argon2_memory_kib).hash(secret)
    conn = await db.connect(settings.database_url)
    try:
        await db.migrate(conn, [db.KIT_MIGRATIONS, MIGRATIONS])
        client = Client(args.client_id, hashed, args.name or args.client_id, _grant(args).as_json(), False)
        await stores(conn).sessions.put_client(client, real_now())
    finally:
        await conn.close()
    return secret


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def scoped(p: argparse.ArgumentParser) -> None:
        p.add_argument("--role", required=True)
        p.add_argument("--street")
        p.add_argument("--community")
        p.add_argument("--purchaser")
        p.add_argument("--org-id")

    inv = sub.add_parser("invite", help="invite a person (prints the one-time link)")
    inv.add_argument("--login", required=True)
    inv.add_argument("--name", required=True)
    inv.add_argument("--email", required=True)
    inv.add_argument("--phone")
    scoped(inv)
    cli = sub.add_parser("client", help="add or re-key a service account (prints its secret)")
    cli.add_argument("client_id")
    cli.add_argument("--name")
    cli.add_argument("--secret", help="use this secret instead of a random one (development)")
    scoped(cli)
    keys = sub.add_parser("keys", help="the issuer's key ring")
    keys.add_argument("action", choices=["list", "rotate", "retire"])
    keys.add_argument("kid", nargs="?")
    args = parser.parse_args()
    settings = Settings()
    if args.command == "invite":
        print(asyncio.run(_invite(settings, args)))
    elif args.command == "client":
        print(asyncio.run(_client(settings, args)))
    else:
        ring = KeyRing.ensure(settings.keys_dir, development=settings.environment != "production")
        if args.action == "rotate":
            print(ring.rotate())
        elif args.action == "retire":
            if not args.kid:
                parser.error("keys retire needs the key id")
            ring.retire(args.kid)
        for kid in ring.kids:
            print(kid, "(active)" if kid == ring.active_kid else "")


if __name__ == "__main__":
    main()
