"""What a run did, per source and in total. Returned as values; also stored and rendered."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["RunSummary", "SourceSummary"]


@dataclass(slots=True, kw_only=True)
class SourceSummary:
    """Counts for one source in one run. ``error`` is set when the source failed as a whole."""

    source: str
    discovered: int = 0
    fetched: int = 0
    not_modified: int = 0
    unchanged: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    new_documents: int = 0
    copies: int = 0
    same_story: int = 0
    new_stories: int = 0
    duration_s: float = 0.0
    error: str | None = None
    error_class: str | None = None
    skipped: str | None = None
    """Why the source was not run at all (resting after failures), if it was not."""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["rejected"] = dict(self.rejected)
        data["failures"] = dict(self.failures)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceSummary:
        values = dict(data)
        values["rejected"] = Counter(values.get("rejected", {}))
        values["failures"] = Counter(values.get("failures", {}))
        return cls(**values)


@dataclass(slots=True, kw_only=True)
class RunSummary:
    """A whole run: its id in the store, status and one summary per source."""

    run_id: int
    status: str
    sources: list[SourceSummary]
    duration_s: float = 0.0

    def total(self, name: str) -> int:
        return sum(getattr(s, name) for s in self.sources)

    @property
    def failed_sources(self) -> list[str]:
        return [s.source for s in self.sources if s.error]

    def failures(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for s in self.sources:
            total.update(s.failures)
        return total

    def rejected(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for s in self.sources:
            total.update(s.rejected)
        return total

    def line(self) -> str:
        """One line for people: what the run found."""
        parts = [
            f"run {self.run_id} {self.status}",
            f"{len(self.sources)} sources",
            f"{self.total('fetched')} fetched",
            f"{self.total('not_modified') + self.total('unchanged')} unchanged",
            f"{self.total('new_documents')} new documents",
            f"{self.total('copies')} copies",
            f"{self.total('same_story')} same-story reports",
            f"{self.total('new_stories')} new stories",
        ]
        skipped = [s.source for s in self.sources if s.skipped]
        if skipped:
            parts.append(f"{len(skipped)} skipped (resting after failures)")
        rejected = self.rejected()
        if rejected:
            reasons = ", ".join(f"{k} {v}" for k, v in rejected.most_common())
            parts.append(f"{rejected.total()} rejected ({reasons})")
        failures = self.failures()
        if failures:
            parts.append("failures: " + ", ".join(f"{k} {v}" for k, v in sorted(failures.items())))
        return ", ".join(parts) + f" ({self.duration_s:.1f} s)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "status": self.status,
            "duration_s": round(self.duration_s, 3),
            "sources": [s.to_dict() for s in self.sources],
        }
