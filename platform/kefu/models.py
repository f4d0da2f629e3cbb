"""Import every model so metadata (Alembic, create_all) sees the whole schema."""

from .audit.models import AuditLog
from .channels.models import Channel
from .conversations.models import (
    Conversation,
    ConversationEvent,
    ConversationSegment,
    Message,
    Rating,
)
from .org.models import (
    AgentStatusLog,
    Company,
    Department,
    SkillGroup,
    SkillGroupMember,
    User,
    WorkSchedule,
)
from .quickreplies.models import QuickReply
from .visitors.models import Visitor, VisitorIdentity

__all__ = [
    "AgentStatusLog", "AuditLog", "Channel", "Company", "Conversation", "ConversationEvent",
    "ConversationSegment", "Department", "Message", "QuickReply", "Rating", "SkillGroup",
    "SkillGroupMember", "User", "Visitor", "VisitorIdentity", "WorkSchedule",
]
