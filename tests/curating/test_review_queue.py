"""The review queue: reasons with codes, a filter, a column, resolving and walking."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from catalog.models import Paper
from catalog.review import REASON_KINDS, note_without, review_reasons
from tests.admin_forms import change_form_data, edit_in_admin
from tests.curating.conftest import change_url, changelist_query_count, changelist_url
from tests.factories import make_paper, make_papers

pytestmark = pytest.mark.django_db

SEED_NOTES = [
    obj["fields"]["review_note"]
    for obj in json.loads((Path(settings.BASE_DIR) / "fixtures" / "catalog.json").read_text())
    if obj["model"] == "catalog.paper" and obj["fields"].get("review_note")
]


def test_every_reason_in_the_seed_catalog_has_a_known_code():
    codes = {reason.code for note in SEED_NOTES for reason in review_reasons(note)}
    assert "other" not in codes
    assert {"no-year", "provisional-title", "surname-only-author", "venue-conflict"} <= codes


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("no year in listing", "no-year"),
        ("date without year", "no-year"),
        ("no title in listing", "no-title"),
        ("no title in listing: provisional title taken from the abstract", "provisional-title"),
        ("surname-only authors not resolved: Le Scao", "surname-only-author"),
        ("header venue 'ICML' disagrees with citation venue 'NeurIPS'", "venue-conflict"),
        ("matches several catalog papers; merged into the most likely one", "ambiguous-match"),
        ("a.txt entry 2 (“X”) has an abstract 93% similar to this paper's", "ambiguous-match"),
        (
            "“X”: staff edited title; the listing changed it too (now 'Y'); kept the staff edit",
            "import-conflict",
        ),
        ("checked the PDF by hand", "other"),
    ],
)
def test_each_reason_gets_its_code(text, code):
    assert [r.code for r in review_reasons(text)] == [code]


def test_a_reason_holding_a_semicolon_stays_one_reason():
    note = "no year in listing; title is 91% similar to “Pythia”; not merged"
    reasons = review_reasons(note)
    assert [r.code for r in reasons] == ["no-year", "ambiguous-match"]
    rest = note_without(note, {"no year in listing"})
    assert rest == "title is 91% similar to “Pythia”; not merged"


def test_the_codes_are_unique():
    codes = [kind.code for kind in REASON_KINDS]
    assert len(codes) == len(set(codes))


def test_the_changelist_filters_by_reason_and_shows_the_reasons(staff_client):
    make_paper("Yearless", needs_review=True, review_note="no year in listing")
    make_paper(
        "Abstract-titled",
        needs_review=True,
        review_note="no title in listing: provisional title taken from the abstract",
    )
    make_paper("Fine")
    response = staff_client.get(changelist_url(Paper), {"reason": "no-year"})
    content = response.content.decode()
    assert "Yearless" in content and "Abstract-titled" not in content and "Fine" not in content
    assert '<span title="no year in listing">No year</span>' in content
    response = staff_client.get(changelist_url(Paper), {"reason": "no-title"})
    assert "Abstract-titled" not in response.content.decode()


def test_the_changelist_filters_the_seed_catalog_by_reason(staff_client, seed):
    response = staff_client.get(changelist_url(Paper), {"reason": "provisional-title"})
    assert response.context["cl"].result_count == 10


def test_resolving_one_reason_keeps_the_paper_in_the_queue(staff_client):
    paper = make_paper(needs_review=True, review_note="no year in listing; no abstract in listing")
    edit_in_admin(staff_client, paper, resolved_reasons=["no year in listing"])
    assert (paper.needs_review, paper.review_note) == (True, "no abstract in listing")


def test_resolving_the_last_reason_clears_needs_review(staff_client):
    paper = make_paper(needs_review=True, review_note="no year in listing")
    edit_in_admin(staff_client, paper, resolved_reasons=["no year in listing"])
    assert (paper.needs_review, paper.review_note) == (False, "")


def test_a_paper_flagged_by_hand_without_a_note_stays_flagged(staff_client):
    paper = make_paper(needs_review=True)
    edit_in_admin(staff_client, paper)
    assert paper.needs_review


def test_save_and_review_next_walks_the_queue_within_the_filter(staff_client):
    first = make_paper("First", needs_review=True, review_note="no year in listing")
    make_paper("Other reason", needs_review=True, review_note="no abstract in listing")
    third = make_paper("Third", needs_review=True, review_note="no year in listing")
    make_paper("Fine")
    url = change_url(first) + "?_changelist_filters=reason%3Dno-year"
    data = change_form_data(staff_client.get(url)) | {"_review_next": "Save and review next"}
    response = staff_client.post(url, data)
    assert response.status_code == 302
    assert response.url.startswith(change_url(third))
    assert "_changelist_filters=reason%3Dno-year" in response.url
    # From the last one it wraps around to the first.
    url = change_url(third) + "?_changelist_filters=reason%3Dno-year"
    data = change_form_data(staff_client.get(url)) | {"_review_next": "Save and review next"}
    assert staff_client.post(url, data).url.startswith(change_url(first))


def test_save_and_review_next_on_an_empty_queue_goes_back_to_the_list(staff_client):
    paper = make_paper(needs_review=True, review_note="no year in listing")
    data = change_form_data(staff_client.get(change_url(paper)))
    data |= {"_review_next": "1", "resolved_reasons": ["no year in listing"]}
    response = staff_client.post(change_url(paper), data)
    assert response.url == changelist_url(Paper)


def test_the_change_form_offers_save_and_review_next(staff_client):
    paper = make_paper(needs_review=True, review_note="no year in listing")
    content = staff_client.get(change_url(paper)).content.decode()
    assert 'name="_review_next"' in content
    assert "No year: no year in listing" in content


def changelist_queries(client, count):
    make_papers(
        {
            "title": f"Flagged {i}",
            "authors": [f"Person {i}", "Stella Biderman"],
            "needs_review": True,
            "review_note": "no year in listing; surname-only authors not resolved: Le Scao",
        }
        for i in range(count)
    )
    return changelist_query_count(client, Paper, {"reason": "no-year"}, count)


def test_the_changelist_costs_the_same_queries_for_1_and_30_papers(staff_client):
    one = changelist_queries(staff_client, 1)
    Paper.objects.all().delete()
    assert changelist_queries(staff_client, 30) == one


def test_save_and_review_next_with_a_stale_filter_walks_the_whole_queue(staff_client):
    first = make_paper("First", needs_review=True, review_note="no year in listing")
    second = make_paper("Second", needs_review=True, review_note="no abstract in listing")
    url = change_url(first) + "?_changelist_filters=no_such_field%3D1"
    data = change_form_data(staff_client.get(url)) | {"_review_next": "1"}
    assert staff_client.post(url, data).url.startswith(change_url(second))
