"""Id formats of the API: 24-hex object ids, UUIDs, job identifiers, and tokens.

Digit-string ids (admins, teams, conversations, ...) are the tables' integer primary keys
rendered as strings, so they need no generator here.
"""

from __future__ import annotations

import hashlib
import random
import secrets
import string
import uuid

from opencom.core.clock import clock

_rng: random.Random | secrets.SystemRandom = secrets.SystemRandom()


def seed(value: int | str | None) -> None:
    """Make every generated id reproducible (OPENCOM_SEED); None goes back to the OS source."""
    global _rng
    _rng = secrets.SystemRandom() if value is None else random.Random(value)


def hex_id() -> str:
    """A 24-hex id shaped like a MongoDB ObjectId: 4 bytes of time, 8 random bytes.

    The time prefix keeps ids roughly ordered by creation, which keeps B-tree inserts cheap.
    """
    return f"{clock.now() & 0xFFFFFFFF:08x}{_rng.getrandbits(64):016x}"


def new_uuid() -> str:
    return str(uuid.UUID(int=_rng.getrandbits(128), version=4))


def job_identifier() -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "".join(_rng.choice(alphabet) for _ in range(16))


def app_code() -> str:
    return "".join(_rng.choice(string.ascii_lowercase + string.digits) for _ in range(8))


def new_token() -> str:
    # Tokens must stay unguessable even when ids are seeded, so they always use the OS source.
    return secrets.token_urlsafe(40)


def token_hash(token: str) -> str:
    # Tokens are 320-bit random strings, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def is_hex_id(value: str) -> bool:
    return len(value) == 24 and all(c in string.hexdigits for c in value)
