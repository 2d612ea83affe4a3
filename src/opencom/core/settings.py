"""Settings, read once from the OPENCOM_* environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

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
    # OPENCOM_ADMIN_KEY: the bearer key of the /_opencom control plane; unset, it serves loopback clients only.
    admin_key: str | None = None
    log_level: str = "info"
    # OPENCOM_JOBS_ENABLED: run the background-job worker thread in this process (core/jobs.py).
    jobs_enabled: bool = True

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
