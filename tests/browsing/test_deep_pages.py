"""Deep pages of the unfiltered list start past the first rows
(catalog/deep_pages.py): newest or oldest first from the month or year the
kept counts place them in, by title from a key cached per catalog version.
They list the same papers, in the same order, as the plain OFFSET, on both
databases, before and after writes."""

import datetime
import random
import re

import pytest
from django.db import connection
from django.db.models.functions import Lower
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from catalog import deep_pages
from catalog.models import Paper
from catalog.selectors import PAPERS_PER_PAGE
from tests.factories import make_papers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

ORDERS = {
    "newest": Paper.objects.newest_first,
    "oldest": Paper.objects.oldest_first,
    "title": lambda: Paper.objects.order_by(Lower("title"), "id"),
}


def synthetic_catalog(n: int = 160):
    """Papers spread over a few years and months, many on the same day, some
    without a date, a year or both, and some whose date is in another year."""
    rng = random.Random(16)
    specs = []
    for i in range(n):
        year = rng.choice([2019, 2020, 2020, 2021, 2023, None])
        published = None
        if rng.random() < 0.75:
            month = rng.choice([1, 2, 6, 12])
            published = datetime.date(year or 2022, month, rng.choice([1, 15, 28]))
            if rng.random() < 0.1:
                published = published.replace(year=published.year + 1)
        # Titles that differ in case only, and the same title many times.
        title = f"{rng.choice(['Paper', 'paper', 'PAPER', 'alpha', 'Zeta'])} {i % 7}"
        specs.append({"title": title, "year": year, "published_on": published})
    make_papers(specs)


def listed(client, sort: str) -> list[str]:
    """Every page of the unfiltered list in `sort` order, as slugs."""
    slugs, page = [], 1
    while True:
        response = client.get("/papers/", {"sort": sort, "page": page})
        assert response.status_code == 200
        slugs += [paper.slug for paper in response.context["object_list"]]
        if not response.context["page_obj"].has_next():
            return slugs
        page += 1


def expected(sort: str) -> list[str]:
    return list(ORDERS[sort]().values_list("slug", flat=True))


@pytest.mark.parametrize("sort", ["newest", "oldest", "title"])
def test_every_page_lists_what_the_plain_offset_lists(client, monkeypatch, sort):
    synthetic_catalog()
    monkeypatch.setattr(deep_pages, "DEEP_FROM", 0)
    monkeypatch.setattr(deep_pages, "CHECKPOINT_EVERY", 20)
    with override_settings(PAPERSHELF_CACHE_PAGES=False):
        assert listed(client, sort) == expected(sort)
        # Writes that move papers between months and years, and out of them.
        first, second, third = Paper.objects.order_by("pk")[:3]
        Paper.objects.filter(pk=first.pk).update(published_on=None)
        Paper.objects.filter(pk=second.pk).update(year=None, published_on=datetime.date(2020, 6, 1))
        Paper.objects.filter(pk=third.pk).delete()
        Paper.objects.filter(year=2021).update(published_on=datetime.date(2021, 2, 1))
        Paper.objects.filter(title__startswith="alpha").update(title="Omega")
        assert listed(client, sort) == expected(sort)


@pytest.mark.parametrize("sort", ["newest", "oldest", "title"])
def test_a_deep_page_offsets_within_its_month_year_or_checkpoint(client, monkeypatch, sort):
    synthetic_catalog()
    monkeypatch.setattr(deep_pages, "DEEP_FROM", 0)
    monkeypatch.setattr(deep_pages, "CHECKPOINT_EVERY", 20)
    page = 3  # inside the papers with a date (newest), or with a year (oldest)
    bottom = (page - 1) * PAPERS_PER_PAGE
    with override_settings(PAPERSHELF_CACHE_PAGES=False):
        client.get("/papers/", {"sort": sort, "page": page})  # the title checkpoint, cached
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/papers/", {"sort": sort, "page": page})
    slugs = [paper.slug for paper in response.context["object_list"]]
    assert slugs == expected(sort)[bottom : bottom + PAPERS_PER_PAGE]
    offsets = [
        int(offset) for query in captured for offset in re.findall(r"OFFSET (\d+)", query["sql"])
    ]
    assert max(offsets, default=0) < bottom, "the page walked every row before it"
    # The page's ids are read from a month, a year or a title on.
    marker = {"newest": '"published_on" <', "oldest": '"year" =', "title": "(LOWER("}[sort]
    assert any(marker in query["sql"] for query in captured)


def test_filtered_lists_and_other_orders_keep_the_plain_offset():
    assert deep_pages.served(deep_pages.ActiveFilters(), "newest")
    assert deep_pages.served(deep_pages.ActiveFilters(), "oldest")
    assert deep_pages.served(deep_pages.ActiveFilters(), "title")
    assert not deep_pages.served(deep_pages.ActiveFilters(), "upvotes")
    assert not deep_pages.served(deep_pages.ActiveFilters(year=2020), "newest")
    assert not deep_pages.served(deep_pages.ActiveFilters(search="model"), "oldest")


def test_the_month_cells_are_read_once_per_catalog_version(client, monkeypatch):
    """Deep pages newest or oldest first start from the kept month cells,
    read once per catalog version (cached), read again after a write."""
    synthetic_catalog()
    monkeypatch.setattr(deep_pages, "DEEP_FROM", 0)

    def month_reads(sort, page):
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/papers/", {"sort": sort, "page": page})
        assert response.status_code == 200
        cells = "SELECT year_key, month_key, papers FROM catalog_monthcount"
        return sum(cells in query["sql"] for query in captured)

    with override_settings(PAPERSHELF_CACHE_PAGES=False):
        assert month_reads("newest", 3) == 1
        assert month_reads("oldest", 2) == 0
        paper = Paper.objects.filter(year__isnull=False).first()
        paper.year += 1
        paper.save()
        assert month_reads("newest", 3) == 1
        assert listed(client, "newest") == expected("newest")
