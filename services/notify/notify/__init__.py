"""Notifications: the right notice to the right people by inbox, e-mail and signed webhook."""
