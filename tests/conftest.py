"""Shared fixtures: sample specs, a CLI runner, text extraction from DOCX and PDF."""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from contractgen.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def run_cli(*args: str | Path) -> Result:
    """Run the contractgen CLI in-process and return its result (exit code, stdout, stderr)."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def cli() -> Callable[..., Result]:
    return run_cli


@pytest.fixture(scope="session")
def minimal_data() -> dict[str, Any]:
    return yaml.safe_load((SAMPLES / "minimal.yaml").read_text())


@pytest.fixture
def make_spec(tmp_path: Path, minimal_data: dict[str, Any]) -> Callable[..., Path]:
    """Write a spec based on samples/minimal.yaml with changes applied; return its path."""

    def make(change: Callable[[dict[str, Any]], Any] | None = None, text: str | None = None,
             name: str = "spec.yaml") -> Path:
        path = tmp_path / name
        if text is not None:
            path.write_text(text, encoding="utf-8")
            return path
        data = copy.deepcopy(minimal_data)
        if change:
            change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    return make


def docx_text(path: Path | bytes) -> str:
    """Body text of a DOCX in document order (tables where they stand), headers excluded.

    The directional isolates (U+2066-U+2069) a right-to-left DOCX wraps around Latin spans are
    left out: they are invisible, and the text reads as the plain value without them.
    """
    import docx
    from docx.table import Table

    source = io.BytesIO(path) if isinstance(path, bytes) else str(path)
    parts: list[str] = []

    def walk(container) -> None:
        for item in container.iter_inner_content():
            if isinstance(item, Table):
                for row in item.rows:
                    for cell in row.cells:
                        walk(cell)
            else:
                parts.append(item.text)

    walk(docx.Document(source))
    return re.sub("[\u2066-\u2069]", "", "\n".join(parts))


def pdf_text(path: Path | bytes) -> str:
    """Text of a PDF in reading order (logical order for right-to-left pages)."""
    from pdftext import extract_text

    return extract_text(path)


def words(text: str) -> list[str]:
    """Words without numbering or punctuation, for comparing DOCX and PDF text."""
    return re.findall(r"[^\W\d_]+", text)


def count_while_writing(folder: Path, pattern: str) -> int:
    """Files matching ``pattern`` (rglob when it has no '/') under ``folder`` while a run may be
    swapping staged folders in: a folder renamed away mid-scan counts as nothing yet."""
    try:
        return len(list(folder.glob(pattern) if "/" in pattern else folder.rglob(pattern)))
    except FileNotFoundError:
        return 0
