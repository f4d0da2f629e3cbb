"""`kefu rules check | export | import | load-shipped`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.group()
def rules() -> None:
    """Ruleset files: check them, export a company's, import one."""


@rules.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def rules_check(paths: tuple[Path, ...]) -> None:
    """Validate ruleset files (default: the shipped rulesets/) and run their cases."""
    from flask import Flask

    from ..rules.definition import RuleError
    from .shipped import DEFAULT_DIR, check_file

    files = [
        p
        for path in (paths or (DEFAULT_DIR,))
        for p in (sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    ]
    reports, failed = [], False
    with Flask(__name__).app_context():
        for path in files:
            try:
                report = check_file(path)
            except RuleError as exc:
                report = {"file": path.name, "errors": exc.messages("en")}
            failed = failed or bool(report.get("errors") or report.get("failures"))
            reports.append(report)
    click.echo(json.dumps({"ok": not failed and bool(files), "files": reports}, ensure_ascii=False, indent=2))
    if failed or not files:
        sys.exit(1)


def _company_id(slug: str) -> int:
    from sqlalchemy import select

    from ..extensions import db
    from ..org.models import Company

    cid = db.session.scalar(select(Company.id).where(Company.slug == slug))
    if cid is None:
        raise click.ClickException(f"no company with slug {slug}")
    return int(cid)


@rules.command("export")
@click.option("--company", "slug", required=True, help="Company slug")
@click.option(
    "--point", required=True, type=click.Choice(["reception", "routing", "session", "leave_message"])
)
@click.option("--out", type=click.Path(path_type=Path), default=None, help="File (default: stdout)")
def rules_export(slug: str, point: str, out: Path | None) -> None:
    """Write a company's published ruleset as a portable YAML file."""
    from ..cli import _app
    from .models import Ruleset
    from .shipped import dump, to_portable

    app = _app()
    with app.app_context():
        from sqlalchemy import select

        from ..extensions import db

        cid = _company_id(slug)
        row = db.session.scalars(
            select(Ruleset).where(Ruleset.company_id == cid, Ruleset.point == point)
        ).first()
        if row is None or row.published is None:
            raise click.ClickException(f"{slug} has no published {point} ruleset")
        text = dump(point, to_portable(cid, point, row.published.definition))
    if out:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}")
    else:
        click.echo(text)


@rules.command("import")
@click.option("--company", "slug", required=True, help="Company slug")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def rules_import(slug: str, path: Path) -> None:
    """Publish a ruleset file for a company (validated, cases run, names resolved)."""
    from ..cli import _app
    from ..rules.definition import RuleError
    from .actions import do_publish
    from .shipped import from_portable, load_file

    app = _app()
    with app.app_context():
        cid = _company_id(slug)
        try:
            point, raw = load_file(path)
            definition, _ = from_portable(cid, point, raw)
            version = do_publish(cid, point, definition, source="import", note=f"import {path.name}")
        except RuleError as exc:
            raise click.ClickException("\n".join(exc.messages("en"))) from exc
        click.echo(f"published {point} v{version.version} for {slug}")
