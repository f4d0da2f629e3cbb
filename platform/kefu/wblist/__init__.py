"""The workbench's conversation list: tabs (进行中 / 排队中 / 历史), filters, unread counts, status bar."""
