"""The markup pre-check: a page whose parse would cost too much is rejected before any parser
sees it, in time linear in the page; real pages pass."""

from __future__ import annotations

import time

import pytest

from ingest.clean.markup_cost import check_markup
from ingest.errors import NotAnArticle
from tests.conftest import REPO

PARAGRAPH = "<p>" + "Rapat koordinasi lintas sektoral digelar di Tenggarong. " * 6 + "</p>"


def many_attributes(count: int) -> str:
    """A short article whose one ``<div>`` carries ``count`` attributes."""
    attributes = " ".join(f'a{i}="{i}"' for i in range(count))
    return f"<html><body><article><div {attributes}>x</div>{PARAGRAPH * 2}</article></body></html>"


def _check(html: str, *, max_elements: int = 50_000, max_attributes: int = 1_000) -> None:
    check_markup(
        html, "https://a.example/x", max_elements=max_elements, max_attributes=max_attributes
    )


@pytest.mark.parametrize(
    ("tag", "attributes"),
    [
        ("<div a=\"1\" b='2' c=3 d e>", 5),
        ('<div a=">>>" b="x y z" c>', 3),  # a quoted > does not end the tag
        ("<div\n a = 1\tb=2>", 2),
        ('<input type="checkbox" checked disabled/>', 3),
    ],
)
def test_attributes_are_counted_as_the_parser_sees_them(tag: str, attributes: int) -> None:
    _check(tag * 3, max_attributes=attributes)  # exactly the bound passes
    with pytest.raises(NotAnArticle) as raised:
        _check(tag + "x" * 50, max_attributes=attributes - 1)
    assert raised.value.reason == "too_complex"
    assert f"an element with {attributes} attributes" in str(raised.value)


def test_an_element_with_60000_attributes_is_rejected_without_parsing() -> None:
    html = many_attributes(60_000)  # 880 KB: 110 s of CPU to extract before the check
    started = time.process_time()
    with pytest.raises(NotAnArticle, match=r"too_complex\): an element with 60,000 attributes"):
        _check(html)
    assert time.process_time() - started < 5  # one linear scan, not a parse (ms in practice)


def test_too_many_elements_are_rejected_and_zero_means_no_bound() -> None:
    html = "<div><span>a</span></div>" * 30_000
    with pytest.raises(NotAnArticle, match="over 50,000 elements"):
        _check(html)
    _check(html, max_elements=0, max_attributes=0)
    _check(html, max_elements=60_000)


def test_real_pages_pass_the_default_bounds() -> None:
    pages = sorted((REPO / "tests" / "fixtures").rglob("*.htm*"))
    assert len(pages) > 20
    for page in pages:
        _check(page.read_text(encoding="utf-8", errors="replace"))


def test_an_unclosed_quote_does_not_hide_attributes() -> None:
    bare = "<div " + " ".join(f"a{i}" for i in range(2_000)) + ' x="unclosed'
    with pytest.raises(NotAnArticle, match="2,001 attributes"):
        _check(bare)
