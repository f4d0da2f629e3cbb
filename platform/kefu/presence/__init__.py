"""Agent statuses (客服状态): busy reasons, approval of status changes, forced offline, presence."""
