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
from .decisions.models import ConversationDeadline, RuleFailure, Ruleset, RulesetVersion
from .leavemessages.models import LeaveMessage
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
from .settings.models import CompanySettings
from .visitors.models import Visitor, VisitorIdentity

__all__ = [
    "AgentStatusLog", "AuditLog", "Channel", "Company", "CompanySettings", "Conversation",
    "ConversationDeadline", "ConversationEvent", "ConversationSegment", "Department", "LeaveMessage",
    "Message", "QuickReply",
    "Rating", "RuleFailure", "Ruleset", "RulesetVersion", "SkillGroup", "SkillGroupMember", "User",
    "Visitor", "VisitorIdentity", "WorkSchedule",
]
