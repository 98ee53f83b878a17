"""Password hashing: argon2id (memory-hard), with OWASP's parameters for it (19 MiB, 2 passes, 1 lane).

OWASP's 64 MiB x 4 lanes profile took 1.3 s a check on the 2-core machines this runs on under load; 19 MiB x 2 passes
takes about a tenth of that and is OWASP's recommended minimum for argon2id. Hashes written by an older version
(werkzeug's pbkdf2/scrypt) are still accepted and replaced by an argon2id hash at the next sign-in.

Checking a password for a user who does not exist costs the same as for one who does: :func:`verify` runs against a
dummy hash made with the same parameters, so the time of an answer does not tell whether the username exists.
"""

from __future__ import annotations

import os
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash

OWASP_MEMORY_KIB = 19456


def _memory_kib() -> int:
    """OWASP's 19 MiB. The test suite alone lowers it (``SHOPLAB_TEST_ARGON2_MEMORY_KIB``): it signs in a few
    thousand times on two cores, and what its tests check is the scheme and that every check costs the same,
    which holds at any cost; a unit test holds the default to OWASP's."""
    return int(os.environ.get("SHOPLAB_TEST_ARGON2_MEMORY_KIB", OWASP_MEMORY_KIB))


_HASHER = PasswordHasher(time_cost=2, memory_cost=_memory_kib(), parallelism=1)
_DUMMY: list[str] = []  # made at the first sign-in of a process, not at import (it costs one hash)
MIN_LENGTH = 8


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``; ``None`` (no such user) checks a dummy hash and says no."""
    if stored_hash is None:
        if not _DUMMY:
            _DUMMY.append(_HASHER.hash(secrets.token_urlsafe(16)))
        _check_argon2(_DUMMY[0], password)
        return False
    if not stored_hash.startswith("$argon2"):
        return check_password_hash(stored_hash, password)
    return _check_argon2(stored_hash, password)


def needs_rehash(stored_hash: str) -> bool:
    """A hash of another scheme or with other parameters: replace it while the password is at hand."""
    return not stored_hash.startswith("$argon2") or _HASHER.check_needs_rehash(stored_hash)


def initial_password() -> str:
    """A password an instructor hands to a student, who must change it at first sign-in: 12 characters, no look-alikes
    (0/O, 1/l/I), easy to read aloud and to type."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def _check_argon2(stored_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
