"""The chat pane's extras: typing, read receipts, recall, quotes and sensitive words."""
