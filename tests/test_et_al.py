"""When a shown author list ends in "et al.": one rule (ends_in_et_al, behind
Paper.et_al_after and PaperRow.et_al_after), used by the paper rows, the feeds
and the admin's changelist."""

import pytest

from catalog.admin import FIRST_AUTHORS_SHOWN, PaperAdmin
from catalog.models import Authorship, Paper
from catalog.paper_rows import AUTHORS_SHOWN, shown_row
from catalog.templatetags.papershelf import paper_rows
from tests.factories import make_paper, make_person

pytestmark = pytest.mark.django_db


def listed(paper):
    """The paper as list rows read it (a PaperRow)."""
    return Paper.objects.filter(pk=paper.pk).for_list().get()


def with_authors(paper):
    """The paper as the admin's changelist reads it (a model, authors prefetched)."""
    return Paper.objects.filter(pk=paper.pk).with_relations().get()


@pytest.mark.parametrize(
    ("placed", "unplaced", "complete", "et_al"),
    [
        (2, 0, True, False),
        (AUTHORS_SHOWN, 0, True, False),
        (AUTHORS_SHOWN + 1, 0, True, True),
        (2, 0, False, True),
        (2, 1, True, True),
    ],
)
def test_a_list_ends_in_et_al_when_more_are_placed_than_shown_or_it_was_truncated(
    placed, unplaced, complete, et_al
):
    paper = make_paper(authors=[f"Placed {i}" for i in range(placed)], authors_complete=complete)
    for i in range(unplaced):
        Authorship.objects.create(paper=paper, person=make_person(f"Unplaced {i}"))
    assert Paper.objects.get(pk=paper.pk).et_al_after(AUTHORS_SHOWN) is et_al
    row = listed(paper)
    assert row.et_al_after(AUTHORS_SHOWN) is et_al
    assert shown_row(row).et_al is et_al
    assert ("et al." in paper_rows({}, [row])) is et_al


def test_the_admin_changelist_uses_the_same_rule():
    paper = make_paper(authors=[f"Author {i}" for i in range(FIRST_AUTHORS_SHOWN)])
    shown = PaperAdmin(Paper, None).first_authors(with_authors(paper))
    assert not shown.endswith("et al.")
    Paper.objects.filter(pk=paper.pk).update(authors_complete=False)
    assert PaperAdmin(Paper, None).first_authors(with_authors(paper)).endswith("et al.")
