"""The list's shared status numbers are cached per company id, and ids restart with every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _forget_shared_counts() -> Iterator[None]:
    """Start and end each test without cached group numbers."""
    from kefu.wblist.queries import forget_shared

    forget_shared()
    yield
    forget_shared()
