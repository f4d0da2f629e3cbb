"""Read the OS, browser and device out of a user agent string (a few patterns, no dependency)."""

from __future__ import annotations

import re

# Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari", WeChat says both.
_BROWSERS = (
    ("WeChat", re.compile(r"MicroMessenger/([\d.]+)")),
    ("Edge", re.compile(r"Edg(?:e|A|iOS)?/([\d.]+)")),
    ("Opera", re.compile(r"(?:OPR|Opera)/([\d.]+)")),
    ("Firefox", re.compile(r"(?:Firefox|FxiOS)/([\d.]+)")),
    ("Chrome", re.compile(r"(?:Chrome|CriOS)/([\d.]+)")),
    ("Safari", re.compile(r"Version/([\d.]+).*Safari/")),
    ("IE", re.compile(r"(?:MSIE |Trident/.*rv:)([\d.]+)")),
)
_OSES = (
    ("HarmonyOS", re.compile(r"HarmonyOS ?([\d.]*)")),
    ("Android", re.compile(r"Android ?([\d.]*)")),
    ("iOS", re.compile(r"(?:iPhone|iPad|iPod).*? OS ([\d_]+)")),
    ("Windows", re.compile(r"Windows NT ([\d.]+)")),
    ("macOS", re.compile(r"Mac OS X ([\d_.]+)")),
    ("ChromeOS", re.compile(r"CrOS \S+ ([\d.]+)")),
    ("Linux", re.compile(r"Linux()")),
)
_WINDOWS = {"10.0": "10/11", "6.3": "8.1", "6.2": "8", "6.1": "7"}


def _major(version: str) -> str:
    return version.replace("_", ".").split(".")[0]


def parse(user_agent: str) -> dict[str, str]:
    """Return {"os", "browser", "device"} for a user agent ("" where unknown)."""
    ua = user_agent or ""
    browser = ""
    for name, pattern in _BROWSERS:
        found = pattern.search(ua)
        if found:
            browser = f"{name} {_major(found.group(1))}".strip()
            break
    os_name = ""
    for name, pattern in _OSES:
        found = pattern.search(ua)
        if found:
            version = found.group(1)
            if name == "Windows":
                version = _WINDOWS.get(version, version)
            elif name in ("iOS", "macOS"):
                version = ".".join(version.replace("_", ".").split(".")[:2])
            os_name = f"{name} {version}".strip()
            break
    if re.search(r"iPad|Tablet", ua):
        device = "tablet"
    elif re.search(r"Mobile|Android|iPhone", ua):
        device = "mobile"
    else:
        device = "desktop" if ua else ""
    return {"os": os_name, "browser": browser, "device": device}
