"""messages (tag of the 2.10 description)."""
