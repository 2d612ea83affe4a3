"""Teams: groups of admins (tag "Teams")."""
