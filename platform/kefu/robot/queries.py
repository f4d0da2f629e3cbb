"""Reads: which robot serves a company or a chat, and a robot answer a visitor may rate."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..extensions import db
from .models import Robot, RobotSession


def choose_robot(company_id: int, robot_id: Any = None) -> Robot | None:
    """The enabled robot a reception rule names, else the company's default, else its first."""
    if isinstance(robot_id, int) and not isinstance(robot_id, bool):
        named = db.session.get(Robot, robot_id)
        if named is not None and named.company_id == company_id and named.enabled:
            return named
    return db.session.scalars(
        select(Robot).where(Robot.company_id == company_id, Robot.enabled.is_(True))
        .order_by(Robot.is_default.desc(), Robot.id).limit(1)
    ).first()


def session_of(conversation_id: int) -> RobotSession | None:
    """The robot session of a conversation (None: no robot ever served it)."""
    return db.session.get(RobotSession, conversation_id)


def robot_info(robot: Robot | None, mode: str, lang: str) -> dict[str, Any] | None:
    """What the widget shows of a robot: its name, avatar and whether it offers 转人工."""
    if robot is None:
        return None
    return {"id": robot.id, "name": robot.display_name or robot.name, "avatar": robot.avatar_url,
            "mode": mode, "transfer_button": bool(robot.show_transfer_button) and mode != "robot_only"}
