"""`opencom seed`: bulk, deterministic, streamed seeding of a workspace (see service.py)."""
