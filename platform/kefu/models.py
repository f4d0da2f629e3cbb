"""Import every model so metadata (Alembic, create_all) sees the whole schema."""

from .audit.models import AuditLog
from .blacklist.models import BlacklistEntry
from .channels.models import Channel
from .chatfiles.models import ChatFile
from .chatpane.models import ReadMark, SensitiveWord
from .conversations.models import (
    Conversation,
    ConversationEvent,
    ConversationSegment,
    Message,
)
from .decisions.models import ConversationDeadline, RuleFailure, Ruleset, RulesetVersion
from .ending.models import VisitorPresence
from .integrations.models import IntegrationPage, IntegrationSecret
from .kbpanel.models import KnowledgeFavourite
from .knowledge.attachments import KnowledgeAttachment
from .knowledge.models import KnowledgeArticle, KnowledgeCategory, KnowledgeDoc, KnowledgeEntry
from .knowledge.usage import KnowledgeSearchLog
from .leavemessages.models import LeaveAttachment, LeaveForm, LeaveMessage
from .orders.models import ConversationOrder
from .org.models import (
    AgentStatusLog,
    Company,
    Department,
    SkillGroup,
    SkillGroupMember,
    User,
    WorkSchedule,
)
from .presence.models import AgentPresence, BusyReason, StatusRequest
from .quickreplies.models import QuickReply, QuickReplyGroup
from .ratings.models import Rating, RatingScheme
from .robot.models import Robot, RobotAnswer, RobotSession
from .settings.models import CompanySettings
from .summaries.models import ConversationStar, ConversationSummary, SummaryCategory
from .transfers.models import ConversationParticipant
from .visitors.fields import VisitorField
from .visitors.models import Visitor, VisitorIdentity
from .visitors.pageviews import PageView
from .wblist.models import HISTORY_INDEX

__all__ = [
    "ConversationOrder", "ConversationStar", "ConversationSummary", "SummaryCategory",
    "ReadMark", "SensitiveWord",
    "HISTORY_INDEX",
    "ChatFile",
    "VisitorField", "PageView",
    "IntegrationPage", "IntegrationSecret",
    "ConversationParticipant",
    "Robot", "RobotAnswer", "RobotSession",
    "KnowledgeArticle", "KnowledgeCategory", "KnowledgeDoc", "KnowledgeEntry",
    "KnowledgeSearchLog", "KnowledgeAttachment",
    "KnowledgeFavourite",
    "BlacklistEntry", "VisitorPresence",
    "AgentPresence", "BusyReason", "StatusRequest",
    "AgentStatusLog", "AuditLog", "Channel", "Company", "CompanySettings", "Conversation",
    "ConversationDeadline", "ConversationEvent", "ConversationSegment", "Department", "LeaveMessage",
    "LeaveAttachment", "LeaveForm",
    "Message", "QuickReply", "QuickReplyGroup",
    "Rating", "RatingScheme",
    "RuleFailure", "Ruleset", "RulesetVersion", "SkillGroup", "SkillGroupMember", "User",
    "Visitor", "VisitorIdentity", "WorkSchedule",
]
