"""The committed demo is exactly what the generator makes from the committed seeds."""

from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path

from tests.demo.conftest import DEMO, WEB


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_generated_files_match_a_fresh_build(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(DEMO / "build_demo.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert _tree(tmp_path / "web") == _tree(WEB)
    for name in sorted(_tree(WEB)):
        assert filecmp.cmp(tmp_path / "web" / name, WEB / name, shallow=False), (
            f"demo/web/{name} differs from a fresh build: run python demo/build_demo.py"
        )
    assert (tmp_path / "seeds.jsonl").read_bytes() == (DEMO / "seeds.jsonl").read_bytes()


def test_a_rebuild_removes_files_no_longer_generated(tmp_path: Path) -> None:
    stale = tmp_path / "web" / "old.example" / "index.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("<html></html>", encoding="utf-8")
    subprocess.run(
        [sys.executable, str(DEMO / "build_demo.py"), "--out", str(tmp_path)], check=True
    )
    assert not stale.exists()
    assert _tree(tmp_path / "web") == _tree(WEB)
