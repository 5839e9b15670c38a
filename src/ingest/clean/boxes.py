"""In-article boxes of related links, taken out of the page before extraction so that the
article around them comes out whole.

Some outlets close the article's container before a "BACA JUGA" box and open another one
after it: an extractor that keeps the best container keeps one side. Each box (an element
opening with a related-link marker and holding little but links) is dropped, and when it
stood between two containers of the same kind they are joined::

    join_around_boxes(tree)
"""

from __future__ import annotations

from lxml.html import HtmlElement

from ingest.clean.chrome import is_related_marker

__all__ = ["join_around_boxes"]

# Words of the markers that open a box of related links ("BACA JUGA", "Berita Terkait",
# "Berita Lainnya", "Pilihan Editor", "Rekomendasi"); other markers (advertisements, "Load
# more") open no box of links to other articles.
_MARKER_WORDS = ("juga", "terkait", "lain", "editor", "rekomendasi")
_CONTAINERS = frozenset({"div", "section", "article"})
#: Characters of a box's text outside its links and its marker, at most.
_MAX_OWN_CHARS = 40


def join_around_boxes(tree: HtmlElement) -> HtmlElement:
    """Drop the related-link boxes of ``tree`` and join the containers on either side of each
    when they are of the same kind (tag and class). Changes ``tree`` in place and returns it."""
    for box in _boxes(tree):
        before, after = box.getprevious(), box.getnext()
        box.drop_tree()
        if before is not None and after is not None and _same_kind(before, after):
            _append(before, after)
    return tree


def _boxes(tree: HtmlElement) -> list[HtmlElement]:
    found: dict[HtmlElement, None] = {}
    for owner in tree.iter():
        text = owner.text
        if not text or not _may_open(text):
            continue
        box = _box_around(owner)
        if box is not None and box.tag not in ("body", "html"):
            found[box] = None
    return [box for box in found if not any(a in found for a in box.iterancestors())]


def _may_open(text: str) -> bool:
    head = text.lstrip()[:40]
    lowered = head.lower()
    return any(word in lowered for word in _MARKER_WORDS) and is_related_marker(head)


def _box_around(element: HtmlElement) -> HtmlElement | None:
    """The largest element from ``element`` up that holds links and little text besides."""
    box = None
    node: HtmlElement | None = element
    while node is not None and node.tag not in ("body", "html", "article", "main"):
        if not _mostly_links(node):
            break
        if next(node.iter("a"), None) is not None:
            box = node
        node = node.getparent()
    return box


def _mostly_links(element: HtmlElement) -> bool:
    text = " ".join(element.text_content().split())
    links = sum(len(" ".join(a.text_content().split())) for a in element.iter("a"))
    marker = min(len(text), 30)  # "BACA JUGA:", "Berita Terkait Lainnya"
    return len(text) - links - marker <= _MAX_OWN_CHARS


def _same_kind(first: HtmlElement, second: HtmlElement) -> bool:
    """Two containers (not paragraphs) of one tag and class."""
    return (
        first.tag == second.tag
        and first.tag in _CONTAINERS
        and first.get("class") == second.get("class")
    )


def _append(first: HtmlElement, second: HtmlElement) -> None:
    """Move the content of ``second`` to the end of ``first`` and drop ``second``."""
    if second.text and second.text.strip():
        last = first[-1] if len(first) else None
        if last is None:
            first.text = (first.text or "") + second.text
        else:
            last.tail = (last.tail or "") + second.text
    for child in list(second):
        first.append(child)
    second.text = None
    second.drop_tree()
