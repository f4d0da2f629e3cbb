"""The index the history tab reads through (the conversation table itself is conversations')."""

from __future__ import annotations

from sqlalchemy import Index

from ..conversations.models import Conversation

# 历史: a company's (or an agent's) ended chats, newest first, a page at a time. Without it each
# page sorts every ended chat of the company.
HISTORY_INDEX = Index("ix_conversation_company_closed", Conversation.company_id, Conversation.status,
                      Conversation.closed_at)
