"""Satisfaction (满意度): rating schemes, invitations and the visitors' ratings."""
