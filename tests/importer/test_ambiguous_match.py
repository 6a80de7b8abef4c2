"""An entry that matches two catalog papers (the arXiv id of one, the title
of the other) is merged into the most likely one, and staff are told."""

import pytest

from catalog.importer.planning import AMBIGUOUS_MATCH
from catalog.importer.service import import_listings
from catalog.models import Paper
from tests.importer.test_import_service import (
    arxiv_entry,
    import_two_arxiv_papers,
    listing_from_text,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_papers():
    papers = import_two_arxiv_papers()
    Paper.objects.update(needs_review=False)
    return papers


def test_an_entry_matching_two_catalog_papers_flags_the_one_it_is_merged_into(two_papers):
    first, second = two_papers
    # The first paper's arXiv id, the second paper's title.
    report = import_listings(
        [listing_from_text(arxiv_entry("Second Paper", "2301.00001"), "third.txt")]
    )

    assert report.created == []
    merged = Paper.objects.get(sources__listing="third.txt")
    assert merged.pk in (first.pk, second.pk)
    assert merged.needs_review
    assert AMBIGUOUS_MATCH in merged.review_note
    flagged = dict(report.flagged)
    assert AMBIGUOUS_MATCH in flagged[merged.title]
