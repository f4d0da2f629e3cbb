"""Third-party browser code served from installed Python packages, never from a CDN."""

from __future__ import annotations

import os
from typing import Any

from flask import Blueprint, send_file

vendor = Blueprint("kefu_vendor", __name__, url_prefix="/admin/vendor")


def plotly_js_path() -> str:
    """The plotly.min.js bundled with the plotly package (the version plotly.py was built for)."""
    import plotly

    return os.path.join(os.path.dirname(plotly.__file__), "package_data", "plotly.min.js")


def plotly_version() -> str:
    """The installed plotly package's version, for cache-busting the script's URL."""
    import plotly

    return str(plotly.__version__)


@vendor.get("/plotly.min.js")
def plotly_js() -> Any:
    """Serve plotly.js for the console's statistics pages (cached; the URL carries the version)."""
    return send_file(plotly_js_path(), mimetype="text/javascript", max_age=7 * 24 * 3600)
