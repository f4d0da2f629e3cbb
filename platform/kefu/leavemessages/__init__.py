"""Leave messages (留言): what visitors leave when no human can serve them."""
