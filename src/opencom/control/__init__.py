"""The Opencom control plane (/_opencom): reset, snapshots, workspaces and tokens, the clock, seeded ids."""
