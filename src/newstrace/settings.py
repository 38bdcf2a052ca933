"""Settings, declared once as data with help text.

Every stage takes ``Settings`` as its last argument. The CLI exposes the common ones as flags and every one of
them through ``--set NAME=VALUE``; ``newstrace settings`` prints the table below.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from .errors import UsageError


def setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    # fetching
    user_agent: str = setting(
        "newstrace/0.1 (+https://pypi.org/project/newstrace/; news provenance research)",
        "User-Agent sent with every request and matched against robots.txt.",
    )
    fetch_timeout: float = setting(20.0, "Seconds to wait for a connection or a read before giving up.")
    fetch_retries: int = setting(2, "Retries after a timeout, connection error or 5xx/429 answer.")
    fetch_backoff: float = setting(0.5, "First retry delay in seconds; doubled on each further retry.")
    host_delay: float = setting(1.0, "Minimum seconds between two requests to the same host.")
    max_page_bytes: int = setting(10_000_000, "Largest page or file read; larger ones fail with E_TOO_LARGE.")
    allow_private: bool = setting(False, "Fetch URLs on private, loopback and link-local addresses.")
    respect_robots: bool = setting(True, "Obey robots.txt (a missing or unreadable robots.txt allows all).")
    # extraction
    min_text_chars: int = setting(40, "Articles with less text than this after clean-up fail with E_EMPTY_TEXT.")
    favor_precision: bool = setting(False, "Ask trafilatura to prefer precision over recall.")
    # duplicates
    near_duplicate_threshold: float = setting(0.8, "Estimated Jaccard similarity above which two texts are copies.")
    minhash_permutations: int = setting(128, "MinHash permutations; more is more exact and slower.")
    shingle_words: int = setting(5, "Words per shingle for near-duplicate detection.")
    containment_threshold: float = setting(
        0.35, "Share of the shorter text's three-word shingles found in the other above which it is a copy."
    )
    containment_sample: int = setting(
        1, "One in this many shingle hashes is kept for containment (1: all; sampling blurs a 0.3 from a 0.4)."
    )
    # language analysis (attribution and later stages)
    analyse: bool = setting(
        True, "After ingesting, find attributions and claims in new articles (`newstrace attribute`)."
    )
    max_nlp_words: int = setting(
        50_000, "Longest article analysed; longer ones are stored but skipped with E_TOO_LARGE."
    )
    nlp_chunk_chars: int = setting(20_000, "Long texts are parsed in pieces of about this many characters.")
    span_model: bool = setting(True, "Use the trained attribution span tagger, completed by the rules.")
    actor_aliases: str = setting(
        "", "A CSV of extra actor aliases (columns alias,name,code,kind,sector), added to the shipped table."
    )
    # stories
    story_threshold: float = setting(
        0.28,
        "Score (TF-IDF average + weighted embedding average + shared rare names − date gap) above which an article "
        "continues an earlier story.",
    )
    story_window_days: float = setting(30.0, "Articles further apart in time than this are less likely one story.")
    story_merge_threshold: float = setting(0.33, "Score between two stories above which they become one.")
    story_split_threshold: float = setting(
        0.34, "Score between the two halves of a story (up to 64 articles) under which it is cut in two."
    )
    # execution
    batch_size: int = setting(64, "Articles written to the store per transaction.")
    workers: int = setting(0, "Extraction processes; 0 means one per core (at most 2 on small machines).")

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def with_overrides(self, pairs: list[str]) -> Settings:
        """Apply ``NAME=VALUE`` strings (from ``--set``), converting each value to the field's type."""
        fields = {f.name: f for f in dataclasses.fields(self)}
        changes: dict[str, Any] = {}
        for pair in pairs:
            name, sep, raw = pair.partition("=")
            name = name.strip().replace("-", "_")
            if not sep or name not in fields:
                raise UsageError(f"unknown setting {name!r}; see `newstrace settings`")
            kind = type(getattr(self, name))
            try:
                if kind is bool:
                    if raw.lower() not in {"1", "0", "true", "false", "yes", "no"}:
                        raise ValueError(raw)
                    changes[name] = raw.lower() in {"1", "true", "yes"}
                else:
                    changes[name] = kind(raw)
            except ValueError:
                raise UsageError(f"setting {name} needs a {kind.__name__}, got {raw!r}") from None
        return self.replace(**changes)


def describe() -> list[tuple[str, Any, str]]:
    """(name, default, help) for every setting, in declaration order."""
    return [(f.name, f.default, f.metadata["help"]) for f in dataclasses.fields(Settings)]
