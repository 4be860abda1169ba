"""One typed settings object, built only in entry points and passed down as plain values."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_DEV_SECRET = "wujie-dev-secret-change-me"


class Settings(BaseSettings):
    """Wujie's settings; every field can be set as ``WUJIE_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="WUJIE_", extra="ignore")

    data_dir: Path = Field(default=Path("var"), description="where embedded SQLite files and journals live")
    database_url: str = Field(default="", description="'' or sqlite:///path for embedded; postgresql://... for PG")
    redis_url: str = "redis://127.0.0.1:6379/0"
    nats_url: str = "nats://127.0.0.1:4222"
    host: str = "127.0.0.1"
    port: int = 8000
    currency: str = "CNY"
    reservation_ttl_s: int = 900
    platform_fee_bp: int = Field(default=200, description="platform fee in basis points of each capture")
    dashboard: bool = Field(default=True, description="feed the live /dashboard from the engine's events")
    partitions: int = Field(default=0, ge=0, description="0: one-process engine; P: P partition processes")
    secret_key: str = _DEV_SECRET
    environment: str = "local"

    @model_validator(mode="after")
    def _no_default_secret_in_production(self) -> Settings:
        if self.environment == "production" and self.secret_key == _DEV_SECRET:
            raise ValueError("set WUJIE_SECRET_KEY: the development secret is refused in production")
        return self
