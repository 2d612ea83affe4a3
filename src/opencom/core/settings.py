"""Settings, read once from the OPENCOM_* environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_PATH = Path("data") / "opencom.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPENCOM_", extra="ignore")

    database_url: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    host: str = "127.0.0.1"
    port: int = 8000
    # When set, the default workspace accepts exactly this token (CI and test suites know it in advance).
    bootstrap_token: str | None = None
    # Calls per minute per app; Intercom counts them in 10-second windows. 0 switches limiting off.
    rate_limit: int = 10000
    workspace_name: str = "Opencom"
    # OPENCOM_SEED: generated ids (24-hex, UUIDs, codes) follow this seed; a control-plane reset re-seeds.
    seed: str | None = None
    # OPENCOM_SEED_EPOCH: with a seed, the process clock starts (and a full reset puts it back)
    # frozen at this Unix time, so timestamps and the time part of ids repeat too. "real": the
    # clock runs in real time even with a seed. Default 2024-01-01T00:00:00Z.
    seed_epoch: float | Literal["real"] = 1704067200.0
    # OPENCOM_ADMIN_KEY: the bearer key of the /_opencom control plane; unset, it serves loopback clients only.
    admin_key: str | None = None
    log_level: str = "info"
    # OPENCOM_JOBS_ENABLED: run the background-job worker thread in this process (core/jobs.py).
    jobs_enabled: bool = True
    # OPENCOM_JOURNAL: keep the control plane's request journal (control/journal.py); off: capture nothing.
    journal: bool = True
    # OPENCOM_HOT_READS: serve GET /contacts/{id} on the hot path (core/hot.py).
    hot_reads: bool = True
    # OPENCOM_JOURNAL_MAX: entries kept per workspace (older ones pruned as new ones are written).
    journal_max: int = 10_000
    # OPENCOM_WEBHOOK_*: webhook delivery (webhooks/delivery.py, docs/webhooks.md). Seconds unless named.
    webhook_workers: int = 2  # delivery threads per process; 0 turns delivery off here
    webhook_timeout: float = 5.0  # per attempt, as Intercom gives a receiver
    webhook_retry_base: float = 1.0  # wait after the first failed attempt; doubles each time
    webhook_retry_cap: float = 600.0
    webhook_max_attempts: int = 8  # attempts of one event before it is given up
    webhook_pause_after: int = 10  # consecutive failed attempts that pause a subscription
    webhook_throttle_base: float = 60.0  # after a 429 without Retry-After: 1 minute, doubling
    webhook_throttle_cap: float = 7200.0  # ... up to 2 hours (Intercom's throttling)
    webhook_lease: float = 60.0  # how long a worker owns a subscription before others may take it

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
