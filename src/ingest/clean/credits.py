"""Credits and syndication footers, split off the body and kept as metadata."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Footer", "split_credits", "split_syndication"]

_LABELLED = re.compile(
    r"^(?:editor|penulis|pewarta|kontributor|reporter|redaktur|penyunting|sumber|foto|"
    r"fotografer|teks|laporan|wartawan)\s*:\s*\S.{0,80}$",
    re.IGNORECASE,
)
# "(prokom04)", "(adv/diskominfo/kukar)", "(*)", "(fyk/ash)", "(Cas/Isk)" at the end of a line.
_PAREN_CREDIT = re.compile(r"\s*\(\s*(?:\*|[\w.*-]{1,20}(?:\s*/\s*[\w.*-]{1,20}){0,5})\s*\)\s*$")
_CAPS_NAME = re.compile(r"^[A-Z][A-Z.'’ -]{2,40}$")
_SYNDICATION = re.compile(
    r"^(?:artikel|berita|tulisan)\s+ini\s+(?:telah\s+|sudah\s+)?(?:tayang|terbit|dimuat|diterbitkan)"
    r"\s+(?:di|pada|dalam)\s+(?P<outlet>[^\s,]+(?:\s+(?-i:[A-Z])[\w.]*)?)"
    r"|^(?:sumber|disadur dari|dilansir dari)\s*:\s*(?P<source>\S.*)$",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://\S+")


@dataclass(frozen=True, slots=True)
class Footer:
    """What was split off the end of an article."""

    lines: list[str]
    credits: tuple[str, ...] = ()
    syndicated_from: str | None = None


def split_syndication(lines: list[str], *, tail: int = 4) -> Footer:
    """Split "Artikel ini telah tayang di Kompas.com dengan judul ... Klik untuk baca: URL" off
    the last lines; ``syndicated_from`` is the named URL if there is one, else the outlet."""
    for index in range(len(lines) - 1, max(len(lines) - tail, 0) - 1, -1):
        match = _SYNDICATION.match(lines[index])
        if match is None:
            continue
        rest = " ".join(lines[index:])
        url = _URL.search(rest)
        named = url.group(0).rstrip(".,)") if url else match.group("outlet") or match["source"]
        return Footer(lines=lines[:index], syndicated_from=named.strip().rstrip("."))
    return Footer(lines=lines)


def split_credits(lines: list[str]) -> Footer:
    """Split credits off the end: labelled lines ("Editor: ...", "Pewarta: ..."), an
    initials credit ending the last paragraph ("... pungkasnya. (adv/diskominfo/kukar)") and a
    reporter's name in capitals on its own line ("DINI TEJA")."""
    kept = list(lines)
    credits: list[str] = []
    while kept:
        last = kept[-1]
        if _LABELLED.match(last) or (_CAPS_NAME.match(last) and len(last.split()) <= 4):
            credits.insert(0, kept.pop())
            continue
        match = _PAREN_CREDIT.search(last)
        if match is None:
            break
        credits.insert(0, match.group(0).strip())
        body = last[: match.start()].rstrip()
        if body:
            kept[-1] = body
            break
        kept.pop()
    return Footer(lines=kept, credits=tuple(credits))
