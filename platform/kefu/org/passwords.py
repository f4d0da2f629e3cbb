"""Password hashing with argon2."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

_hasher = PasswordHasher()
# Test suites create hundreds of accounts; argon2's parameters travel inside each hash, so a
# cheaper hasher under KEFU_TESTING never weakens a production hash.
_test_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def hash_password(password: str) -> str:
    """Hash a password for storage."""
    testing = has_app_context() and current_app.config.get("KEFU_TESTING")
    return (_test_hasher if testing else _hasher).hash(password)


def verify_password(stored: str, password: str) -> bool:
    """Check a password against its stored hash."""
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
