"""Rules (规则): the editor of each decision point's ruleset, its sandbox, dry run and history."""

from __future__ import annotations

import os
from typing import Any

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms.validators import ValidationError as CSRFInvalid

from kefu.decisions.actions import check_publishable, do_publish, do_rollback, do_save_draft
from kefu.errors import KefuError, NotFound
from kefu.extensions import db
from kefu.i18n import current_lang
from kefu.org.models import User
from kefu.rules import POINTS, DecisionPoint, RuleError, validate_ruleset
from kefu.rules.conditions import OP_LABELS, VALUE_KIND
from kefu.rules.explain import explain

from .. import access
from ..rules import data, schemas
from ..rules.strings import ui_strings

STATIC = os.path.join(os.path.dirname(os.path.dirname(__file__)), "static")
EMPTY: dict[str, Any] = {"rules": [], "cases": []}


def _point(name: str) -> DecisionPoint:
    if name not in POINTS:
        raise NotFound("not_found")
    return POINTS[name]


def _json(body: dict[str, Any], status: int = 200) -> Any:
    return body, status


def _problems(exc: RuleError) -> list[dict[str, Any]]:
    """Each problem in the admin's language, with both languages alongside."""
    lang = current_lang()
    return [
        {**p.to_dict(lang), "message_zh": p.message("zh"), "message_en": p.message("en")}
        for p in exc.problems
    ]


def _refused(exc: RuleError) -> Any:
    body = KefuError("invalid_input").to_dict(current_lang())
    body["problems"] = _problems(exc)
    return _json(body, 422)


class RulesView(BaseView):
    """One page per decision point; writes go through kefu.decisions.actions."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(static_folder=STATIC, static_url_path="/static", **kwargs)

    def is_accessible(self) -> bool:
        """Only owners and admins edit rules (managers and agents have no access)."""
        return access.is_admin()

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        """Log in first, or 403."""
        return access.deny()

    def _company(self) -> int:
        cid = access.company_id()
        if cid is None:
            raise KefuError("forbidden", status=403)
        return cid

    def _me(self) -> User:
        user = access.me()
        if user is None or user.company_id is None:
            raise KefuError("forbidden", status=403)
        return user

    def _check_csrf(self) -> None:
        token = request.headers.get("X-CSRFToken") or request.form.get("csrf_token") or ""
        try:
            validate_csrf(token)
        except CSRFInvalid as exc:
            raise KefuError("invalid_input", status=400,
                            fields={"csrf_token": ["missing or invalid"]}) from exc

    def _body(self, schema: Any) -> dict[str, Any]:
        self._check_csrf()
        if (request.content_length or 0) > schemas.MAX_BODY:
            raise KefuError("invalid_input", status=413)
        return schemas.load(schema, request.get_json(silent=True))

    def _published(self, cid: int, point: str) -> tuple[int | None, dict[str, Any] | None]:
        row = data.heads(cid).get(point)  # a read: no row is created for a point never edited
        if row is None or row.published is None:
            return None, None
        return row.published.version, row.published.definition

    # -- pages ----------------------------------------------------------------------------
    @expose("/")
    def index(self) -> Any:
        """Every decision point with its published version and draft; recent rule failures."""
        cid = self._company()
        heads = data.heads(cid)
        points = [{"spec": p, "head": heads.get(name)} for name, p in POINTS.items()]
        return self.render("kefu_admin/rules_index.html", points=points,
                           failures=data.failures(cid), lang=current_lang())

    @expose("/<point>/")
    def edit(self, point: str) -> Any:
        """The editor: the draft (or the published definition) and everything the script needs."""
        spec, cid = _point(point), self._company()
        row = data.heads(cid).get(point)
        draft = row.draft if row is not None else None
        version, published = self._published(cid, point)
        refs = data.ref_choices(cid)
        state = {
            "lang": current_lang(),
            "point": spec.describe(),
            "ops": {op: {"kind": VALUE_KIND[op], "label": {"zh": zh, "en": en}}
                    for op, (zh, en) in OP_LABELS.items()},
            "refs": refs,
            "definition": draft if draft is not None else published or EMPTY,
            "has_draft": draft is not None,
            "published_version": version,
            "recent": data.recorded_facts(cid, point, 20, distinct=True),
            "csrf": generate_csrf(),
            "urls": {name: url_for(f".{name}", point=point)
                     for name in ("save_draft", "validate", "publish", "sandbox", "dry_run",
                                  "history")},
            "strings": ui_strings(),
        }
        return self.render("kefu_admin/rules_editor.html", spec=spec, state=state,
                           version=version, lang=current_lang())

    @expose("/<point>/history")
    def history(self, point: str) -> Any:
        """Versions with their diffs and a rollback button each."""
        spec, cid = _point(point), self._company()
        version, _def = self._published(cid, point)
        lang = current_lang()
        names = data.ref_names(data.ref_choices(cid))
        return self.render("kefu_admin/rules_history.html", spec=spec, lang=lang,
                           versions=data.history(spec, cid, names, lang), current=version)

    @expose("/<point>/rollback/<int:version_id>", methods=["POST"])
    def rollback(self, point: str, version_id: int) -> Any:
        """Republish an older version as a new one."""
        _point(point)
        self._check_csrf()
        try:
            new = do_rollback(self._me(), version_id)
        except RuleError as exc:
            db.session.rollback()
            for p in _problems(exc):
                flash(p["message"], "error")
        else:
            flash(_("Version %(old)s was published again as version %(new)s.",
                    old=new.note.removeprefix("rollback to v"), new=new.version), "success")
        return redirect(url_for(".history", point=point))

    # -- JSON -----------------------------------------------------------------------------
    @expose("/<point>/draft", methods=["POST"])
    def save_draft(self, point: str) -> Any:
        """Store the draft as it is, valid or not."""
        _point(point)
        body = self._body(schemas.DefinitionSchema())
        row = do_save_draft(self._me(), point, body["definition"])
        return _json({"ok": True, "saved_at": row.draft_updated_at.isoformat()
                      if row.draft_updated_at else None})

    @expose("/<point>/validate", methods=["POST"])
    def validate(self, point: str) -> Any:
        """Check the definition, its references and its cases; list every problem."""
        _point(point)
        body = self._body(schemas.DefinitionSchema())
        try:
            check_publishable(self._company(), point, body["definition"])
        except RuleError as exc:
            db.session.rollback()
            return _json({"ok": False, "problems": _problems(exc)})
        return _json({"ok": True, "problems": []})

    @expose("/<point>/publish", methods=["POST"])
    def publish(self, point: str) -> Any:
        """Publish as the next version, or refuse saying which rule or case is wrong."""
        _point(point)
        body = self._body(schemas.PublishSchema())
        user = self._me()
        try:
            version = do_publish(self._company(), point, body["definition"], actor_id=user.id,
                                 source="editor", note=body["note"])
        except RuleError as exc:
            return _refused(exc)
        return _json({"ok": True, "version": version.version})

    @expose("/<point>/sandbox", methods=["POST"])
    def sandbox(self, point: str) -> Any:
        """Decide the given facts with the draft or the published version, rule by rule."""
        spec = _point(point)
        body = self._body(schemas.ExplainSchema())
        cid = self._company()
        if body["use"] == "published":
            version, definition = self._published(cid, point)
            definition = definition or EMPTY
        else:
            version = None
            try:
                definition = validate_ruleset(spec, body["definition"] or EMPTY)
            except RuleError as exc:
                return _refused(exc)
        return _json({"ok": True, **explain(spec, definition, body["facts"], version)})

    @expose("/<point>/dryrun", methods=["POST"])
    def dry_run(self, point: str) -> Any:
        """Compare the published and the draft decisions over recent recorded facts."""
        spec = _point(point)
        body = self._body(schemas.DryRunSchema())
        cid = self._company()
        try:
            draft = validate_ruleset(spec, body["definition"])
        except RuleError as exc:
            return _refused(exc)
        version, published = self._published(cid, point)
        names = data.ref_names(data.ref_choices(cid))
        result = data.dry_run(spec, cid, published, draft, body["limit"], names, current_lang())
        return _json({"ok": True, "published_version": version, **result})
