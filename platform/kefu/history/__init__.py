"""Chat history: pages of a visitor's messages across their conversations, and the sync windows."""
