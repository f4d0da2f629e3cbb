"""The repository layout keeps the standard library and the plugin boundary intact."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_platform_is_stdlib_from_repo_root():
    """`import platform` from the repo root is still the standard-library module."""
    out = subprocess.run(
        [sys.executable, "-c", "import platform, kefu; print(platform.__file__); print(platform.system())"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()
    assert out[0].endswith("platform.py") and "site-packages" not in out[0]
    assert out[1] == "Linux"
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_kefu_never_imports_the_admin_console():
    """kefu loads the console through an entry point only, never by import."""
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "platform" / "kefu").rglob("*.py")
        if "kefu_admin" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_console_plugin_is_loaded_through_entry_point(app):
    """The installed `kefu.plugins` entry point mounts the admin console."""
    assert "admin" in app.extensions.get("kefu_plugins", [])
    assert any(r.rule == "/admin/" for r in app.url_map.iter_rules())
