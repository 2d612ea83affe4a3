"""Admins: the teammates of a workspace (tag "Admins")."""
