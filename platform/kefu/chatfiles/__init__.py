"""Images and files sent in chats, both ways."""
