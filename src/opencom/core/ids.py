"""Id formats of the API: 24-hex object ids, UUIDs, job identifiers, and tokens.

Digit-string ids (admins, teams, conversations, ...) are the tables' integer primary keys
rendered as strings, so they need no generator here.
"""

from __future__ import annotations

import hashlib
import random
import secrets
import string
import threading
import uuid

from opencom.core.clock import clock

_rng: random.Random | secrets.SystemRandom = secrets.SystemRandom()
_lock = threading.Lock()
_process_bits = _rng.getrandbits(40)
_counter = _rng.getrandbits(24)


def seed(value: int | str | None) -> None:
    """Make every generated id reproducible (OPENCOM_SEED); None goes back to the OS source."""
    global _rng, _process_bits, _counter
    _rng = secrets.SystemRandom() if value is None else random.Random(value)
    _process_bits = _rng.getrandbits(40)
    # Start low so that a seeded run never wraps the counter.
    _counter = 0 if value is not None else _rng.getrandbits(23)


def hex_id() -> str:
    """A 24-hex id laid out like a MongoDB ObjectId: 4 bytes of time, 5 random bytes fixed per
    process (or seed), and a 3-byte counter.

    Ids made later sort later (within a process), so (created_at, id) orders rows by creation
    and B-tree inserts stay cheap.
    """
    global _counter
    with _lock:
        _counter = (_counter + 1) & 0xFFFFFF
        count = _counter
    return f"{clock.now() & 0xFFFFFFFF:08x}{_process_bits:010x}{count:06x}"


def new_uuid() -> str:
    return str(uuid.UUID(int=_rng.getrandbits(128), version=4))


def job_identifier() -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "".join(_rng.choice(alphabet) for _ in range(16))


def app_code() -> str:
    return "".join(_rng.choice(string.ascii_lowercase + string.digits) for _ in range(8))


def choice(options):
    """A random pick that follows OPENCOM_SEED like the ids (visitor pseudonyms)."""
    return _rng.choice(options)


def new_token() -> str:
    # Tokens must stay unguessable even when ids are seeded, so they always use the OS source.
    return secrets.token_urlsafe(40)


def token_hash(token: str) -> str:
    # Tokens are 320-bit random strings, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def is_hex_id(value: str) -> bool:
    return len(value) == 24 and all(c in string.hexdigits for c in value)
