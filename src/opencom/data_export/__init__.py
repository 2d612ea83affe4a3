"""data exports."""
