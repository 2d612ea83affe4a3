"""Workspaces (Intercom's "apps") and their access tokens."""
