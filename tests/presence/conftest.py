"""Each presence test starts with no live sockets counted in this process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask


@pytest.fixture(autouse=True)
def fresh_presence(app: Flask) -> Iterator[None]:
    """Forget sockets counted by earlier tests (ids restart with every test)."""
    app.extensions.pop("kefu_presence", None)
    yield
    app.extensions.pop("kefu_presence", None)
