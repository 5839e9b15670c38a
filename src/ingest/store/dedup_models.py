"""Tables of the dedup index, on the store's ``Base``.

    documents ─< dedup_entries      one row per indexed document: signature, sizes
    documents ─< dedup_bands        LSH band keys of the document signature
    documents ─< dedup_anchors      sampled shingle hashes (passage-level retrieval)
    dedup_anchor_counts             documents per anchor (retrieval skips common anchors)
    stories ──< dedup_story_passages  sentence hashes per story
    dedup_passage_counts            stories per sentence (a sentence in many stories is boilerplate)

Rows are written in the same transaction as the document's ``story_members`` row, so a
document is indexed exactly when it has a membership. Hash keys are signed 63-bit integers.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from ingest.store.models import Base

__all__ = [
    "DedupAnchor",
    "DedupAnchorCount",
    "DedupBand",
    "DedupEntry",
    "DedupPassageCount",
    "DedupStoryPassage",
]


class DedupEntry(Base):
    """A document's whole-text signature (``num_perm`` little-endian uint32)."""

    __tablename__ = "dedup_entries"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    shingles: Mapped[int] = mapped_column(Integer)
    params: Mapped[str] = mapped_column(String(100))


class DedupBand(Base):
    """One LSH band key of a document signature (the band number is mixed into the key)."""

    __tablename__ = "dedup_bands"

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    band: Mapped[int] = mapped_column(SmallInteger)


class DedupAnchor(Base):
    """A sampled shingle of a document."""

    __tablename__ = "dedup_anchors"

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class DedupAnchorCount(Base):
    """How many documents hold an anchor."""

    __tablename__ = "dedup_anchor_counts"

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    documents: Mapped[int] = mapped_column(Integer)


class DedupStoryPassage(Base):
    """A sentence (normalised, hashed) present in a story."""

    __tablename__ = "dedup_story_passages"

    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)


class DedupPassageCount(Base):
    """How many stories hold a sentence."""

    __tablename__ = "dedup_passage_counts"

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    stories: Mapped[int] = mapped_column(Integer)
