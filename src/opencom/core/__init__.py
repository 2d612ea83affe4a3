"""Cross-cutting pieces written once and used by every domain."""
