"""`manage.py import_listings` with BibTeX files: every option holds, bad files refused whole."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Paper, PaperSource

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent / "data" / "bibtex"
GOOD = str(DATA / "acl_anthology.bib")


def run(*args, **options) -> str:
    out = StringIO()
    call_command("import_listings", *args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


@pytest.fixture
def bad_bib(tmp_path):
    path = tmp_path / "broken.bib"
    path.write_text(
        "@article{ok, title={Fine Paper}, year={2021}}\n\n"
        "@article{open,\n  title={Never {closed},\n  year={2021}\n",
        encoding="utf-8",
    )
    return str(path)


def test_a_bib_file_is_detected_and_imported(tmp_path):
    renamed = tmp_path / "export.txt"  # detected by content, not by name
    renamed.write_bytes((DATA / "arxiv.bib").read_bytes())
    output = run(str(renamed))
    assert "export.txt: 2 entries (bibtex)" in output
    assert "Papers: 2 created" in output
    assert set(PaperSource.objects.values_list("format", flat=True)) == {"bibtex"}


def test_a_bad_block_refuses_the_whole_run_with_file_and_line(bad_bib):
    with pytest.raises(CommandError) as error:
        run(GOOD, bad_bib)
    message = str(error.value)
    assert "broken.bib, line 3:" in message
    assert "not closed" in message and "nothing was imported" in message
    assert Paper.objects.count() == 0


def test_skip_bad_imports_the_other_entries_and_lists_the_skipped(bad_bib):
    output = run(GOOD, bad_bib, skip_bad=True)
    assert "broken.bib: 1 entries (bibtex)" in output
    assert "skipped: broken.bib, line 3:" in output
    assert Paper.objects.filter(title="Fine Paper").exists()


@pytest.mark.parametrize(
    "content, message",
    [(b"", "empty"), (b"@article{a,\x00\x01 title={x}}", "binary"), (b"\xff\xfe@misc{", "UTF-8")],
    ids=["empty", "binary", "invalid utf-8"],
)
def test_hostile_files_are_refused_by_name(tmp_path, content, message):
    path = tmp_path / "hostile.bib"
    path.write_bytes(content)
    with pytest.raises(CommandError) as error:
        run(str(path))
    assert "hostile.bib" in str(error.value) and message.lower() in str(error.value).lower()


def test_format_bibtex_forces_the_parser(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Some notes first\n" * 400 + "@misc{k, title={Forced Title}}\n")
    with pytest.raises(CommandError):
        run(str(path))
    run(str(path), format="bibtex")
    assert Paper.objects.filter(title="Forced Title").exists()


@pytest.mark.django_db(databases=["default", "fixture_build"])
def test_dry_run_and_fixture_work_as_for_listings(tmp_path):
    assert "Dry run: nothing was written." in run(GOOD, dry_run=True)
    assert Paper.objects.count() == 0
    fixture = tmp_path / "bib.json"
    run(GOOD, fixture=str(fixture))
    titles = [
        o["fields"]["title"]
        for o in json.loads(fixture.read_text())
        if o["model"] == "catalog.paper"
    ]
    assert any(t.startswith("French CrowS-Pairs") for t in titles)
    assert Paper.objects.count() == 0
