"""Local inputs get the limits of fetched pages: a saved page or a JSONL ``html`` over
``fetch.max_bytes`` is rejected (``too_large``), and one whose markup would take minutes to
parse is rejected before it is parsed (``too_complex``); the other pages are stored."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import REPO, Cli
from tests.extract.test_markup_cost import many_attributes

PAGES = REPO / "tests" / "fixtures" / "anpandu" / "html" / "antara"


def _config(tmp_path: Path, folder: Path) -> Path:
    config = tmp_path / "config"
    config.mkdir()
    (config / "sources.toml").write_text(
        f'[[sources]]\nname = "saved"\nkind = "html_dir"\npath = "{folder}"\n'
    )
    return config


def test_saved_pages_over_the_cap_or_too_complex_are_rejected(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    for name in ("antara-singlepage.html", "antara-singlepage2.html"):
        (folder / name).write_bytes((PAGES / name).read_bytes())
    big = (PAGES / "antara-singlepage3.html").read_text()
    (folder / "big.html").write_text(big.replace("</body>", "<!--" + "x" * 200_000 + "--></body>"))
    (folder / "attributes.html").write_text(many_attributes(5_000))
    cli.config = _config(tmp_path, folder)

    result = cli("run", "--source", "saved", env={"INGEST_FETCH__MAX_BYTES": "150000"})
    assert result.code == 0, result.stderr
    summary = result.stdout + result.stderr
    assert "2 new documents" in summary
    assert "too_large 1" in summary and "too_complex 1" in summary
    assert len(cli("documents", "--format", "jsonl").jsonl()) == 2


def test_jsonl_html_over_the_cap_or_too_complex_is_rejected(cli: Cli, tmp_path: Path) -> None:
    good = (PAGES / "antara-singlepage.html").read_text()
    lines = [
        {"url": "https://www.antaranews.com/berita/1", "html": good},
        {"url": "https://a.example/big", "html": good + "<!--" + "x" * 200_000 + "-->"},
        {"url": "https://a.example/attributes", "html": many_attributes(5_000)},
    ]
    path = tmp_path / "pages.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    result = cli("import", str(path), env={"INGEST_FETCH__MAX_BYTES": "150000"})
    assert result.code == 0, result.stderr
    summary = result.stdout + result.stderr
    assert "1 new documents" in summary
    assert "too_large 1" in summary and "too_complex 1" in summary
