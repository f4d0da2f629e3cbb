"""The robot's events on the /visitor namespace: robot.info, robot.transfer, robot.feedback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..conversations import queries
from ..extensions import db
from ..realtime.handlers import acked
from ..visitors.token import VisitorClaims
from .models import REASONS, Robot
from .queries import robot_info, session_of


def install_visitor(namespace: type, claims: Callable[[], VisitorClaims], lang: Callable[[], str]) -> None:
    """Add the robot's handlers to the visitor namespace."""

    @acked(lang)
    def on_robot_info(self: Any, data: Any = None) -> dict[str, Any]:
        """The robot serving the visitor's chat on this channel (null when none), for the widget."""
        who = claims()
        conv = queries.latest_conversation(who.visitor_id, who.channel_id)
        session = session_of(conv.id) if conv is not None else None
        robot = db.session.get(Robot, session.robot_id) if session and session.robot_id else None
        return {"robot": robot_info(robot, session.mode if session else "", lang()),
                "conversation": {"id": conv.id, "status": conv.status} if conv else None,
                "reasons": list(REASONS)}

    @acked(lang)
    def on_robot_transfer(self: Any, data: Any = None) -> dict[str, Any]:
        """转人工: hand the robot chat to the routing rules; acked with the chat's new status."""
        from .actions import check_transfer

        return check_transfer(claims(), data)

    @acked(lang)
    def on_robot_feedback(self: Any, data: Any = None) -> dict[str, Any]:
        """有用 / 没用 on one answer; a second verdict on the same answer is refused."""
        from .actions import check_feedback

        answer = check_feedback(claims(), data)
        return {"answer_id": answer.id, "feedback": answer.feedback}

    setattr(namespace, "on_robot.info", on_robot_info)
    setattr(namespace, "on_robot.transfer", on_robot_transfer)
    setattr(namespace, "on_robot.feedback", on_robot_feedback)
