"""The text of a photo page (a gallery) kept as an article: its captions.

A photo page's words are the captions of its photos, in ``<figcaption>`` elements, which text
extraction drops with the images. When the page has none, the extracted text is the caption
(detik ``readfoto``); when that is empty too, the page's description, unless it is cut short.
"""

from __future__ import annotations

from lxml.html import HtmlElement

__all__ = ["gallery_caption"]

_DESCRIPTION_XPATH = (
    '//meta[@property="og:description" or @name="description" or @name="twitter:description"]'
    "/@content"
)
_MIN_WORDS = 5


def gallery_caption(tree: HtmlElement, extracted: str) -> str:
    """The captions of the page's photos, each once and in page order, one a line; else
    ``extracted``; else a description that does not end in an ellipsis; else ``""``.

    >>> from lxml.html import fromstring
    >>> page = fromstring("<div><figure><figcaption>Sekda Kukar membuka rakor di Tenggarong."
    ...                   "</figcaption></figure></div>")
    >>> gallery_caption(page, "")
    'Sekda Kukar membuka rakor di Tenggarong.'
    """
    captions: list[str] = []
    for element in tree.iter("figcaption"):
        text = " ".join(element.text_content().split())
        if len(text.split()) >= _MIN_WORDS and text not in captions:
            captions.append(text)
    if captions:
        return "\n".join(captions)
    if extracted.strip():
        return extracted
    for value in tree.xpath(_DESCRIPTION_XPATH):
        text = " ".join(str(value).split())
        if len(text.split()) >= _MIN_WORDS and not text.endswith(("...", "…")):
            return text
    return ""
