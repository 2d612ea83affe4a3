"""Opencom: a stateful server for the Intercom REST API 2.10."""

__version__ = "0.1.0"
API_VERSION = "2.10"
