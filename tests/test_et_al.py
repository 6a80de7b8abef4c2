"""When a shown author list ends in "et al.": one rule (Paper.et_al_after),
used by the paper rows, the feeds and the admin's changelist."""

import pytest

from catalog.admin import FIRST_AUTHORS_SHOWN, PaperAdmin
from catalog.models import Authorship, Paper
from catalog.paper_rows import AUTHORS_SHOWN, paper_row
from tests.factories import make_paper, make_person

pytestmark = pytest.mark.django_db


def listed(paper):
    return Paper.objects.filter(pk=paper.pk).for_list().get()


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
    paper = listed(paper)
    assert paper.et_al_after(AUTHORS_SHOWN) is et_al
    assert ("et al." in paper_row(paper)) is et_al


def test_the_admin_changelist_uses_the_same_rule():
    paper = make_paper(authors=[f"Author {i}" for i in range(FIRST_AUTHORS_SHOWN)])
    shown = PaperAdmin(Paper, None).first_authors(listed(paper))
    assert not shown.endswith("et al.")
    Paper.objects.filter(pk=paper.pk).update(authors_complete=False)
    assert PaperAdmin(Paper, None).first_authors(listed(paper)).endswith("et al.")
