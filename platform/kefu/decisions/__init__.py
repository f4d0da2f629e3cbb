"""Rulesets in the product: stored versions, publishing, the per-process cache, decisions applied."""
