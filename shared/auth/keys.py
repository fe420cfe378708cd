"""The issuer's signing keys: a directory of ES256 (P-256) private keys, one of them active.

A key ring is a directory the issuer alone can read (docs/architecture.md §4):

    <dir>/<kid>.jwk.json   one private key as a JWK (with its `kid`), mode 0600
    <dir>/ring.json        which key signs (`active`) and the prefix new key ids get
    <dir>/jwks.json        the public JWKS of every unretired key (what services may read)

`rotate()` makes a new key the active one; the previous keys stay published (tokens they
signed stay valid) until `retire(kid)` removes them. Every file is written to a temporary name
and renamed, so a running issuer (`reload_if_changed()`) and the operators' CLI
(`python -m ops.tokens rotate`) never see half a key; changes take an exclusive lock on
`<dir>/.lock`, so two processes ensuring the same empty directory make one key, not two.

Development key rings (`make provision` creates `var/issuer-keys/`) give their key ids the prefix
`dev-`; production refuses such keys and tokens (`shared.auth.verify`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

ALGORITHM = "ES256"
DEV_KID_PREFIX = "dev-"
# The development ring of this checkout (gitignored `var/`); production rings live elsewhere.
DEV_KEYS_DIR = Path(__file__).resolve().parents[2] / "var" / "issuer-keys"

_KEY_SUFFIX = ".jwk.json"
_RING_FILE = "ring.json"
_JWKS_FILE = "jwks.json"


@dataclass(frozen=True)
class _Key:
    kid: str
    private: ec.EllipticCurvePrivateKey

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = ECAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "alg": ALGORITHM, "use": "sig"}

    def private_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = ECAlgorithm.to_jwk(self.private, as_dict=True)
        return {**jwk, "kid": self.kid, "alg": ALGORITHM, "use": "sig"}


class KeyRing:
    """The issuer's private keys in a directory; one signs, all unretired ones are published."""

    def __init__(self, path: Path, keys: Mapping[str, _Key], active_kid: str, kid_prefix: str, stamp: object) -> None:
        self.path = path
        self._keys = dict(keys)
        self._active = active_kid
        self.kid_prefix = kid_prefix
        self._stamp = stamp

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> KeyRing:
        """The ring in `path`; fails if it holds no keys or its active key is missing."""
        directory = Path(path)
        meta_path = directory / _RING_FILE
        try:
            meta = json.loads(meta_path.read_text())
        except FileNotFoundError:
            raise FileNotFoundError(f"no key ring in {directory} (ring.json missing)") from None
        stamp = _stamp(directory)
        keys = {}
        for file in sorted(directory.glob(f"*{_KEY_SUFFIX}")):
            key = _read_key(file)
            keys[key.kid] = key
        active = str(meta["active"])
        if active not in keys:
            raise ValueError(f"key ring {directory}: the active key {active!r} has no key file")
        return cls(directory, keys, active, str(meta.get("kid_prefix", "")), stamp)

    @classmethod
    def ensure(cls, path: str | os.PathLike[str], *, development: bool = False) -> KeyRing:
        """The ring in `path`, created with one key if the directory has none. A development ring's
        key ids start with `dev-` (production refuses them)."""
        directory = Path(path)
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        with _locked(directory):
            if not (directory / _RING_FILE).exists():
                prefix = DEV_KID_PREFIX if development else ""
                key = _new_key(prefix)
                _write_key(directory, key)
                _write_meta(directory, key.kid, prefix)
                _write_jwks(directory, [key])
        return cls.load(directory)

    def reload_if_changed(self) -> bool:
        """Pick up a rotation or retirement another process made; True if the ring changed."""
        if _stamp(self.path) == self._stamp:
            return False
        fresh = KeyRing.load(self.path)
        self._keys, self._active, self.kid_prefix, self._stamp = (
            fresh._keys,
            fresh._active,
            fresh.kid_prefix,
            fresh._stamp,
        )
        return True

    # -- using ---------------------------------------------------------------------------------

    @property
    def active_kid(self) -> str:
        return self._active

    @property
    def kids(self) -> list[str]:
        """Every unretired key id, the active one among them."""
        return sorted(self._keys)

    @property
    def development(self) -> bool:
        return self._active.startswith(DEV_KID_PREFIX)

    def sign(self, claims: Mapping[str, Any]) -> str:
        """A compact JWS of `claims`, signed with the active key (header `kid`, `alg` ES256)."""
        key = self._keys[self._active]
        return jwt.encode(dict(claims), key.private, algorithm=ALGORITHM, headers={"kid": key.kid})

    def public_jwks(self) -> dict[str, Any]:
        """The JWKS of every unretired key: public parts only, the active key first."""
        ordered = sorted(self._keys.values(), key=lambda k: (k.kid != self._active, k.kid))
        return {"keys": [k.public_jwk() for k in ordered]}

    # -- changing ------------------------------------------------------------------------------

    def rotate(self) -> str:
        """A new key becomes the active one; the previous keys stay published until retired."""
        with _locked(self.path):
            self.reload_if_changed()
            key = _new_key(self.kid_prefix)
            _write_key(self.path, key)
            keys = [*self._keys.values(), key]
            _write_jwks(self.path, keys)
            _write_meta(self.path, key.kid, self.kid_prefix)
        self.reload_if_changed()
        return key.kid

    def retire(self, kid: str) -> None:
        """Stop publishing a key (tokens it signed are refused from the services' next JWKS fetch)."""
        with _locked(self.path):
            self.reload_if_changed()
            if kid == self._active:
                raise ValueError(f"key {kid} is the active key: rotate first, then retire it")
            if kid not in self._keys:
                raise KeyError(f"no key {kid!r} in {self.path}")
            _write_jwks(self.path, [k for k in self._keys.values() if k.kid != kid])
            (self.path / f"{kid}{_KEY_SUFFIX}").unlink()
        self.reload_if_changed()

    def write_public_jwks(self, target: str | os.PathLike[str]) -> Path:
        """The public JWKS written to `target` (e.g. for an air-gapped service's key file)."""
        path = Path(target)
        _atomic_write(path, json.dumps(self.public_jwks(), indent=2) + "\n", mode=0o644)
        return path


def _new_key(prefix: str) -> _Key:
    kid = f"{prefix}{time.strftime('%Y%m%d', time.gmtime())}-{secrets.token_hex(4)}"
    return _Key(kid, ec.generate_private_key(ec.SECP256R1()))


def _read_key(file: Path) -> _Key:
    data = json.loads(file.read_text())
    if data.get("kty") != "EC" or data.get("crv") != "P-256" or "d" not in data or not data.get("kid"):
        raise ValueError(f"{file}: not a P-256 private key with a kid")
    private = ECAlgorithm.from_jwk(data)
    if not isinstance(private, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{file}: not a private key")
    return _Key(str(data["kid"]), private)


def _write_key(directory: Path, key: _Key) -> None:
    _atomic_write(directory / f"{key.kid}{_KEY_SUFFIX}", json.dumps(key.private_jwk()) + "\n", mode=0o600)


def _write_meta(directory: Path, active: str, prefix: str) -> None:
    _atomic_write(directory / _RING_FILE, json.dumps({"active": active, "kid_prefix": prefix}) + "\n", mode=0o600)


def _write_jwks(directory: Path, keys: list[_Key]) -> None:
    jwks = {"keys": [k.public_jwk() for k in sorted(keys, key=lambda k: k.kid)]}
    _atomic_write(directory / _JWKS_FILE, json.dumps(jwks, indent=2) + "\n", mode=0o644)


def _atomic_write(path: Path, text: str, *, mode: int) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)  # the umask may have narrowed it; never widened beyond `mode`
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def _stamp(directory: Path) -> object:
    """What changes when a key is added, retired or activated (ring.json is rewritten last)."""
    try:
        meta = (directory / _RING_FILE).stat()
    except FileNotFoundError:
        return None
    names = tuple(sorted(p.name for p in directory.glob(f"*{_KEY_SUFFIX}")))
    return (meta.st_mtime_ns, meta.st_ino, names)


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    fd = os.open(directory / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
