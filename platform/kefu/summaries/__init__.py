"""Service summaries (服务总结): categories, one summary per conversation, and agents' stars."""
