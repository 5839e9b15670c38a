"""HTML preparation before extraction.

Many Indonesian outlets write the body as loose text in a ``<div>`` or ``<span>``, with
paragraphs separated by ``<br>`` and the lead paragraph opened by an inline ``<strong>``
("<strong>VIVA.co.id</strong> - Pianis cilik ..."). Extractors look for paragraphs and drop
that lead; wrapping each run of loose inline content in a ``<p>`` keeps it.
"""

from __future__ import annotations

from typing import TypeAlias

from lxml import etree
from lxml.html import HtmlElement

__all__ = ["wrap_loose_text"]

_CONTAINERS = ("div", "span", "td", "section", "article")
_INLINE = frozenset(
    {"a", "b", "strong", "i", "em", "u", "span", "font", "small", "sup", "sub", "abbr", "cite",
     "q", "mark", "time"}
)  # fmt: skip
_Node: TypeAlias = HtmlElement | str


def wrap_loose_text(tree: HtmlElement, *, min_chars: int = 40) -> HtmlElement:
    """Wrap runs of loose text (at least ``min_chars`` characters directly inside a container)
    in ``<p>`` elements, splitting runs at ``<br>`` and at block elements. Changes ``tree``
    in place and returns it."""
    for element in list(tree.iter(*_CONTAINERS)):
        if _has_loose_text(element, min_chars):
            _rewrap(element)
    return tree


def _has_loose_text(element: HtmlElement, min_chars: int) -> bool:
    if element.text and len(element.text.strip()) >= min_chars:
        return True
    return any(child.tail and len(child.tail.strip()) >= min_chars for child in element)


def _detach(element: HtmlElement) -> list[_Node]:
    nodes: list[_Node] = [element.text] if element.text else []
    element.text = None
    for child in list(element):
        tail, child.tail = child.tail, None
        element.remove(child)
        nodes.append(child)
        if tail:
            nodes.append(tail)
    return nodes


def _rewrap(element: HtmlElement) -> None:
    run: list[_Node] = []
    for node in _detach(element):
        if isinstance(node, str) or node.tag in _INLINE:
            run.append(node)
            continue
        _append_paragraph(element, run)
        run = []
        if node.tag != "br":
            element.append(node)
    _append_paragraph(element, run)


def _append_paragraph(parent: HtmlElement, run: list[_Node]) -> None:
    if not any((isinstance(n, str) and n.strip()) or not isinstance(n, str) for n in run):
        return
    paragraph = etree.SubElement(parent, "p")
    last: HtmlElement | None = None
    for node in run:
        if isinstance(node, str):
            if last is None:
                paragraph.text = (paragraph.text or "") + node
            else:
                last.tail = (last.tail or "") + node
        else:
            paragraph.append(node)
            last = node
