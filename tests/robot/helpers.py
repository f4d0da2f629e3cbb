"""A robot-first company for the robot's tests: seeded knowledge base, default robot, reception rule."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import select

from kefu.decisions.actions import do_publish
from kefu.extensions import db
from kefu.knowledge.actions import do_seed
from kefu.knowledge.evaluate import KNOWLEDGE_FILE, load_yaml
from kefu.robot.actions import do_seed_robot
from kefu.robot.models import RobotAnswer
from kefu.visitors import token as tokens


def robot_desk(make: Any, mode: str = "robot_first", robot_id: int | None = None,
               status: str = "online") -> SimpleNamespace:
    """A company whose reception plan puts every chat in a robot mode; one agent online."""
    d = make.desk(status=status)
    keys = do_seed(d.company.id, load_yaml(KNOWLEDGE_FILE))
    robot = do_seed_robot(d.company.id)
    reception(d.company.id, mode, robot_id)
    d.keys, d.robot = keys, robot
    d.claims = tokens.verify(d.token)
    return d


def reception(company_id: int, mode: str, robot_id: int | None = None) -> None:
    """Publish a reception plan with one rule: this mode (and robot) for everyone."""
    then: list[dict[str, Any]] = [{"action": "mode", "params": {"mode": mode}}]
    if robot_id is not None:
        then.append({"action": "robot", "params": {"robot": robot_id}})
    do_publish(company_id, "reception", {"rules": [
        {"id": "bot", "name": "robot", "when": None, "then": then}]})


def answers(conversation_id: int) -> list[RobotAnswer]:
    """The robot's answers in a conversation, oldest first."""
    db.session.rollback()
    return list(db.session.scalars(select(RobotAnswer).where(
        RobotAnswer.conversation_id == conversation_id).order_by(RobotAnswer.id)))
