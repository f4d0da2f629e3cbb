"""Orders recorded against a conversation (订单), read later by order statistics."""
