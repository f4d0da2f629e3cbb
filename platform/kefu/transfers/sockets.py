"""The workbench's transfer, invitation and monitoring events on the /agent namespace."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from ..conversations.serialize import conversation_dict
from ..errors import KefuError
from ..realtime.handlers import acked
from . import actions, queries


def _lang() -> str:
    return getattr(current_user, "locale", "zh") or "zh"


def _user() -> Any:
    if not current_user.is_authenticated or current_user.company_id is None:
        raise KefuError("unauthorized", status=401)
    return current_user._get_current_object()


def _manager() -> Any:
    user = _user()
    if not queries.is_manager(user):
        raise KefuError("managers_only", status=403)
    return user


@acked(_lang)
def on_targets(self: Any, data: Any = None) -> dict[str, Any]:
    """List the skill groups and colleagues a chat could go to, with who is online and free."""
    return queries.transfer_targets(_user())


@acked(_lang)
def on_transfer(self: Any, data: Any = None) -> dict[str, Any]:
    """Transfer a chat to an agent or a skill group."""
    done = actions.check_transfer(_user(), data)
    return {"conversation_id": done.conversation_id, "agent_id": done.agent_id,
            "duplicate": done.duplicate}


@acked(_lang)
def on_invite(self: Any, data: Any = None) -> dict[str, Any]:
    """Invite a colleague to help in a chat."""
    conv, duplicate = actions.check_invite(_user(), data)
    return {"conversation_id": conv.id, "duplicate": duplicate}


@acked(_lang)
def on_leave(self: Any, data: Any = None) -> dict[str, Any]:
    """Leave a chat one was invited into."""
    conv = actions.check_leave(_user(), data)
    return {"conversation_id": conv.id}


@acked(_lang)
def on_live(self: Any, data: Any = None) -> dict[str, Any]:
    """List the company's live chats the manager may see."""
    return {"conversations": queries.live_conversations(_manager())}


@acked(_lang)
def on_watch(self: Any, data: Any = None) -> dict[str, Any]:
    """Watch a chat silently: its history now, its messages live."""
    conv, messages = actions.check_watch(_user(), data)
    return {"conversation": conversation_dict(conv), "messages": messages}


@acked(_lang)
def on_unwatch(self: Any, data: Any = None) -> dict[str, Any]:
    """Stop watching a chat."""
    return {"stopped": actions.check_unwatch(_user(), data)}


@acked(_lang)
def on_takeover(self: Any, data: Any = None) -> dict[str, Any]:
    """Take a chat over from its agent (抢接)."""
    done = actions.check_takeover(_user(), data)
    return {"conversation_id": done.conversation_id, "agent_id": done.agent_id,
            "duplicate": done.duplicate}


HANDLERS = {
    "transfer.targets": on_targets,
    "transfer": on_transfer,
    "transfer.invite": on_invite,
    "transfer.leave": on_leave,
    "monitor.live": on_live,
    "monitor.watch": on_watch,
    "monitor.unwatch": on_unwatch,
    "monitor.takeover": on_takeover,
}


def install(namespace_class: type) -> None:
    """Add the handlers to the /agent namespace (Socket.IO dispatches "x" to `on_x`)."""
    for event, handler in HANDLERS.items():
        setattr(namespace_class, f"on_{event}", handler)
