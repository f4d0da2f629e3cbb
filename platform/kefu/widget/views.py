"""The visitor side over HTTP: the H5 chat page, the embed script, and the session API."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Flask, Response, render_template, request, url_for
from sqlalchemy import select

from ..channels.models import Channel
from ..conversations import queries
from ..conversations.serialize import message_dict
from ..decisions.apply import do_widget_reception
from ..ending.texts import end_text
from ..errors import KefuError
from ..extensions import csrf, db, limiter
from ..ratelimit import widget_session_limit
from ..visitors.actions import check_open_session
from ..visitors.models import Visitor
from .prechat import check_prechat, missing_fields

bp = Blueprint("widget", __name__)
DEFAULT_COLOR = "#1677ff"


def channel_by_key(key: str) -> Channel:
    """Return the enabled channel with this public key, or raise unknown_channel (404)."""
    channel = None
    if len(key) <= 64:
        channel = db.session.scalars(select(Channel).where(Channel.key == key)).first()
    if channel is None:
        raise KefuError("unknown_channel", status=404)
    if not channel.enabled:
        raise KefuError("channel_disabled", status=404)
    return channel


@bp.route("/chat/<key>")
def chat_page(key: str) -> Any:
    """The standalone H5 chat page (also what the embed snippet shows in its frame)."""
    channel = channel_by_key(key)
    return render_template("widget/chat.html", channel=channel, embed=request.args.get("embed") == "1")


@bp.route("/widget/<key>.js")
def embed_script(key: str) -> Any:
    """The <script> a company puts on its site: a button that opens the chat in a frame."""
    try:
        channel = channel_by_key(key)
    except KefuError as exc:
        # A <script> tag cannot show an HTML page: say it in the host page's console instead.
        note = json.dumps(f"kefu: {exc.to_dict('en')['error']['message']} ({key[:64]})")
        return Response(f"console.warn({note});\n", status=exc.status,
                        mimetype="application/javascript")
    chat_url = url_for("widget.chat_page", key=channel.key, embed="1", _external=True)
    # The launcher's look until the chat frame reports this visitor's own (which the snippet then
    # remembers for the site's next pages): what the reception plan gives a first-time visitor.
    body = render_template("widget/embed.js", chat_url=_js(chat_url), look=_js(guest_look(channel)))
    return Response(body, mimetype="application/javascript")


def _js(value: Any) -> str:
    """JSON that is also safe inside a <script> (no </script> or <!-- breaks out)."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def guest_look(channel: Channel) -> dict[str, Any]:
    """The reception plan's look for a visitor nobody knows yet, from what the request tells.

    The script request says the browser's language and device, and (by default only the origin
    of) the host page; the visitor is a probe that is never saved.
    """
    from ..visitors.actions import device_of

    agent = request.headers.get("User-Agent", "")
    guest = Visitor(id=0, company_id=channel.company_id, name="", tags=[], vip_level=0, visit_count=0,
                    last_context={"page_url": (request.referrer or "")[:2048],
                                  "language": (request.accept_languages.best or "")[:16],
                                  "device": device_of(agent)})
    return widget_look(do_widget_reception(channel, guest), channel)


def widget_look(reception: dict[str, Any], channel: Channel) -> dict[str, Any]:
    """The window's style from the reception plan, falling back to the channel's title."""
    return {
        "title": reception.get("title") or channel.settings.get("title") or channel.name,
        "color": reception.get("color") or DEFAULT_COLOR,
        "logo": reception.get("logo"),
        "position": reception.get("position") if reception.get("position") == "left" else "right",
    }


@bp.route("/api/widget/<key>/session", methods=["POST"])
@csrf.exempt  # visitors carry a signed token, not a cookie session
@limiter.limit(widget_session_limit)
def open_session(key: str) -> Any:
    """Identify the visitor, issue a token, and return the current conversation state."""
    channel = channel_by_key(key)
    data = request.get_json(silent=True)
    if data is None:
        data = {}
    ip = request.remote_addr or ""  # ProxyFix (KEFU_PROXY_HOPS) makes this the client's
    out = check_open_session(channel, data, ip, request.headers.get("User-Agent", ""))
    visitor = out["visitor"]
    conv = queries.latest_conversation(visitor.id, channel.id)
    state = None
    messages: list[dict[str, Any]] = []
    if conv is not None:
        from ..queueing.queries import visitor_state

        position = queries.queue_position(conv)
        state = {
            "id": conv.id, "status": conv.status, "queue_position": position,
            "agent_name": conv.agent.shown_name if conv.agent else None,
            "end_reason": conv.end_reason, "end_text": end_text(conv.end_reason),
            **visitor_state(conv, position),
        }
        messages = [message_dict(m) for m in queries.recent_messages(conv.id)]
    reception = do_widget_reception(channel, visitor)
    missing = missing_fields(visitor, reception.get("pre_chat_form") or [])
    return {
        "ok": True,
        "reception": reception,
        "look": widget_look(reception, channel),
        # The pre-chat form asks only what the profile lacks; once filled it is not shown again.
        "prechat": {"fields": missing, "skippable": reception.get("pre_chat_skippable", False)}
        if missing else None,
        "token": out["token"],
        "uid": out["uid"],
        "visitor": {"id": visitor.id, "name": visitor.name},
        "conversation": state,
        "messages": messages,
        "socket": {"namespace": "/visitor", "path": "/socket.io"},
    }


@bp.route("/api/widget/<key>/prechat", methods=["POST"])
@csrf.exempt  # visitors carry a signed token, not a cookie session
@limiter.limit(widget_session_limit)
def save_prechat(key: str) -> Any:
    """Save the pre-chat form (询前表单) of the token's visitor."""
    channel = channel_by_key(key)
    visitor = check_prechat(channel, request.get_json(silent=True))
    return {"ok": True, "visitor": {"id": visitor.id, "name": visitor.name}}


def init_app(app: Flask) -> None:
    """Register the widget routes."""
    app.register_blueprint(bp)
