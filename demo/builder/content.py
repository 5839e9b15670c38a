"""Article bodies: seed texts cut into paragraphs, edited copies, inline "Baca Juga" links.

A body is a tuple of blocks: a :class:`Paragraph` holds article text exactly as the seed has it;
an :class:`InlineLink` is the related-article line outlets put between paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from builder.model import ArticleSpec, DemoError

__all__ = ["Body", "InlineLink", "Paragraph", "copy_body", "seed_body", "with_inline_links"]

_MARKER = re.compile(r"^(Baca ?Juga\s*:?)\s*(.*)$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"])")


@dataclass(frozen=True, slots=True)
class Paragraph:
    """Article text, verbatim."""

    text: str


@dataclass(frozen=True, slots=True)
class InlineLink:
    """A "Baca Juga" line. ``label`` None: the theme's label; ``title`` None: chosen later."""

    label: str | None = None
    title: str | None = None


Block = Paragraph | InlineLink


@dataclass(frozen=True, slots=True)
class Body:
    """An article's title and body blocks."""

    title: str
    blocks: tuple[Block, ...]

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(block.text for block in self.blocks if isinstance(block, Paragraph))


def _block(line: str) -> Block:
    match = _MARKER.match(line)
    if match is None:
        return Paragraph(line)
    return InlineLink(label=match.group(1), title=match.group(2) or None)


def _position(lines: list[str], spec: ArticleSpec, key: str, default: int) -> int:
    marker = getattr(spec, key)
    if marker is None:
        return default
    for index, line in enumerate(lines):
        if line.startswith(marker) if key == "body_from" else line.endswith(marker):
            return index
    raise DemoError(f"article {spec.id}: no line matches {key} = {marker!r}")


def seed_body(raw: str, spec: ArticleSpec) -> Body:
    """Cut a seed text into title and body. Without ``spec.title`` the first line is the title;
    ``body_from``/``body_to`` leave out the chrome some seed texts carry around the article."""
    lines = [line for line in raw.splitlines() if line.strip()]
    title = spec.title
    if title is None:
        title, lines = lines[0], lines[1:]
    start = _position(lines, spec, "body_from", 0)
    end = _position(lines, spec, "body_to", len(lines) - 1)
    return Body(title=title, blocks=tuple(_block(line) for line in lines[start : end + 1]))


def _trim(text: str, sentences: int) -> str:
    return " ".join(_SENTENCE_END.split(text)[:sentences])


def _replace_all(text: str, pairs: tuple[tuple[str, str], ...]) -> str:
    for old, new in pairs:
        text = text.replace(old, new)
    return text


def copy_body(original: Body, spec: ArticleSpec) -> Body:
    """The body a republishing outlet makes of ``original``: replacements, dropped and trimmed
    paragraphs (indexes into the original paragraphs), then appended lines such as credits."""
    trims = dict(spec.trim)
    paragraphs: list[str] = []
    for index, text in enumerate(original.paragraphs):
        if index in spec.drop:
            continue
        text = _replace_all(text, spec.replace)
        paragraphs.append(_trim(text, trims[index]) if index in trims else text)
    for line in spec.append:
        paragraphs.append(line.format(original_title=original.title))
    unused = [old for old, _ in spec.replace if not any(old in p for p in original.paragraphs)]
    if unused:
        raise DemoError(f"article {spec.id}: replace finds nothing for {unused}")
    return Body(title=spec.title or original.title, blocks=tuple(map(Paragraph, paragraphs)))


def with_inline_links(body: Body, after: tuple[int, ...]) -> Body:
    """Insert an :class:`InlineLink` after each paragraph index in ``after``."""
    blocks: list[Block] = []
    paragraph = -1
    for block in body.blocks:
        blocks.append(block)
        if isinstance(block, Paragraph):
            paragraph += 1
            if paragraph in after:
                blocks.append(InlineLink())
    if after and max(after) > paragraph:
        raise DemoError(f"inline_after {max(after)} is past the last paragraph ({paragraph})")
    return replace(body, blocks=tuple(blocks))
