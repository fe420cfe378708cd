"""The operators' token tool: mint a token, rotate or retire a signing key, print the public keys.

    python -m ops.tokens mint --role district_admin --sub alice [--ttl 900]
    python -m ops.tokens rotate          # a new active key; the previous stays published
    python -m ops.tokens retire <kid>    # stop publishing a key (after its tokens expired)
    python -m ops.tokens jwks [--out F]  # the public JWKS (an air-gapped service's key file)
    python -m ops.tokens keys            # the key ids, the active one marked
    python -m ops.tokens --keys DIR init # a new (production) key ring in DIR, if it has none

Minting needs the issuer's private key directory (`--keys`, or `SOGC_ISSUER_KEYS`; default the
development ring `var/issuer-keys/`, which `make provision` creates). In production that is the
console's key volume: only whoever may read it can mint — no service can. A running console picks
up a rotation by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping

from shared.auth import AUDIENCE, DEV_ISSUER, DEV_JWKS_FILE, DEV_KEYS_DIR, KeyRing, Role, mint


def operator_ring(keys: str | os.PathLike[str] | None = None) -> KeyRing:
    """The issuer's key ring an operator (or the demo, or the benchmark) mints with: `keys`, else
    `SOGC_ISSUER_KEYS`, else the development ring (created if missing)."""
    path = os.fspath(keys or os.environ.get("SOGC_ISSUER_KEYS") or DEV_KEYS_DIR)
    if os.path.abspath(path) == os.path.abspath(DEV_KEYS_DIR):
        return KeyRing.ensure(DEV_KEYS_DIR, development=True)
    return KeyRing.load(path)


def development_issuer_env(service: str, env: Mapping[str, str]) -> dict[str, str]:
    """A service's token settings under `make run` and `ops.system`: trust the development issuer
    and its public keys, unless `env` already names a key source (creates the dev ring if missing)."""
    up = service.upper()
    if (
        env.get(f"{up}_ENVIRONMENT") == "production"
        or env.get(f"{up}_AUTH_JWKS_URL")
        or env.get(f"{up}_AUTH_JWKS_FILE")
    ):
        return {}
    KeyRing.ensure(DEV_KEYS_DIR, development=True)
    return {
        f"{up}_AUTH_ISSUER": DEV_ISSUER,
        # The development ring's public keys; once the console runs in `make run`, its endpoint instead:
        # f"{up}_AUTH_JWKS_URL": DEV_JWKS_URL,
        f"{up}_AUTH_JWKS_FILE": str(DEV_JWKS_FILE),
    }


def operator_issuer() -> str:
    """The `iss` the operator's tokens carry: `SOGC_ISSUER`, else the development issuer."""
    return os.environ.get("SOGC_ISSUER") or DEV_ISSUER


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.tokens", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--keys", help="the issuer's private key directory (default: SOGC_ISSUER_KEYS, else var/issuer-keys/)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    m = commands.add_parser("mint", help="print a signed token for one role")
    m.add_argument("--role", required=True, choices=[r.value for r in Role])
    m.add_argument("--sub", required=True, help="who the token is for, e.g. a staff login")
    m.add_argument("--street", help="street code: street_officer, community_worker")
    m.add_argument("--org-id", help="organisation id: org")
    m.add_argument("--purchaser", help="purchaser code: district_department")
    m.add_argument("--community", help="community: community_worker (with --street)")
    m.add_argument("--ttl", type=int, default=8 * 3600, help="lifetime in seconds (default 8 hours)")
    m.add_argument(
        "--issuer", default=operator_issuer(), help="the `iss` claim (default: SOGC_ISSUER, else the dev issuer)"
    )
    m.add_argument("--audience", default=AUDIENCE, help="the `aud` claim")
    commands.add_parser("rotate", help="make a new key the active one")
    r = commands.add_parser("retire", help="stop publishing a key")
    r.add_argument("kid")
    j = commands.add_parser("jwks", help="print (or write) the public JWKS")
    j.add_argument("--out", help="write it to this file instead")
    commands.add_parser("keys", help="list the key ids")
    commands.add_parser("init", help="create a key ring in --keys if it has none")
    args = parser.parse_args(argv)

    if args.command == "init":
        if not args.keys:
            parser.error("init needs --keys (the development ring is made by `make provision`)")
        ring = KeyRing.ensure(args.keys)
        print(f"key ring {args.keys}: active key {ring.active_kid}")
        return 0
    try:
        ring = operator_ring(args.keys)
    except (OSError, ValueError) as exc:
        parser.error(f"cannot open the key ring {args.keys}: {exc}")
    if args.command == "mint":
        needs = {"street_officer": ["street"], "org": ["org_id"], "district_department": ["purchaser"]}
        needs["community_worker"] = ["street", "community"]
        missing = [f"--{n.replace('_', '-')}" for n in needs.get(args.role, []) if not getattr(args, n)]
        if missing:
            parser.error(f"role {args.role} needs {' and '.join(missing)}")
        print(
            mint(
                ring,
                issuer=args.issuer,
                audience=args.audience,
                sub=args.sub,
                role=args.role,
                street=args.street,
                org_id=args.org_id,
                purchaser=args.purchaser,
                community=args.community,
                ttl_seconds=args.ttl,
            )
        )
    elif args.command == "rotate":
        print(ring.rotate())
    elif args.command == "retire":
        try:
            ring.retire(args.kid)
        except (KeyError, ValueError) as exc:
            print(f"not retired: {exc}", file=sys.stderr)
            return 1
        print(f"retired {args.kid}; active {ring.active_kid}")
    elif args.command == "jwks":
        if args.out:
            print(ring.write_public_jwks(args.out))
        else:
            print(json.dumps(ring.public_jwks(), indent=2))
    else:
        for kid in ring.kids:
            print(f"{kid}{'  (active)' if kid == ring.active_kid else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
