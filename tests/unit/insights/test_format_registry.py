"""One registry entry per digest format feeds the CLI, the export dialog, file names,
rendering and the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cxdaily.cli import build_parser
from cxdaily.core.errors import CxDailyError
from cxdaily.insights import EXTENSIONS, FORMATS
from cxdaily.insights.build import build_digest
from cxdaily.insights.formats import DEFAULT_FORMAT, DIGEST_FORMATS, format_by_extension
from cxdaily.insights.output import format_for_path, render, renderer
from tests.unit.insights.digest_kit import at, insight, period

README = Path(__file__).resolve().parents[3] / "README.md"


def test_the_registry_is_what_every_list_reads():
    assert FORMATS == tuple(DIGEST_FORMATS) == ("md", "html", "csv", "json", "notes")
    assert {name: f.extension for name, f in DIGEST_FORMATS.items()} == EXTENSIONS
    assert DEFAULT_FORMAT == "md"


def test_the_cli_offers_every_format():
    parser = build_parser()
    for name in DIGEST_FORMATS:
        assert parser.parse_args(["digest", "--format", name]).format == name
    with pytest.raises(SystemExit):
        parser.parse_args(["digest", "--format", "docx"])


def test_the_export_dialog_lists_every_format():
    pytest.importorskip("textual")
    from cxdaily.ui.modals.digest_export import FORMAT_NAMES, default_path

    assert list(FORMAT_NAMES) == list(DIGEST_FORMATS)
    assert FORMAT_NAMES["md"] == "Markdown (wikis, chat)"
    assert default_path("notes", "Last 7 days", Path("/x")).endswith("last-7-days.json")


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.md", "md"), ("a.MARKDOWN", "md"), ("a.htm", "html"), ("a.csv", "csv"),
     ("a.json", "json"), ("a.txt", "md"), ("noext", "md")],
)  # fmt: skip
def test_a_file_name_picks_its_format(name, fmt):
    assert format_for_path(name) == fmt


def test_a_shared_extension_goes_to_the_first_format():
    assert format_by_extension()[".json"] == "json"


@pytest.mark.parametrize("name", list(DIGEST_FORMATS))
def test_every_format_renders(name):
    window = period("2026-11-16 00:00", "2026-11-23 00:00")
    digest = build_digest(
        [insight("2026-11-17 10:00", tags=("billing",))], window, now=at("2026-11-23 08:00")
    )
    assert callable(renderer(name))
    assert render(digest, name).strip()


def test_an_unknown_format_names_the_known_ones():
    with pytest.raises(CxDailyError, match="use md, html, csv, json, notes"):
        renderer("docx")


def test_every_entry_is_complete():
    for name, fmt in DIGEST_FORMATS.items():
        assert fmt.name == name and fmt.extension.startswith(".")
        assert "/" in fmt.media_type and fmt.title and fmt.description
        assert re.fullmatch(r"[\w.]+:\w+", fmt.renderer)


def test_the_readme_table_lists_every_format():
    table = set(re.findall(r"^\| `(\w+)` \|", README.read_text("utf-8"), re.MULTILINE))
    assert set(DIGEST_FORMATS) <= table
