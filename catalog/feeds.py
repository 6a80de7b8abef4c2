"""Atom feeds of the newest papers: the whole catalog, a person, a venue, an award.

Entries carry the title, every author (one Atom <author> each, in order), the
venue and year, and the abstract. Django's Atom1Feed writes one author per
entry, so PapersAtomFeed adds the rest.
"""

import copy
import datetime

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html

from catalog.models import Award, Paper
from catalog.rendering import plain_text
from people.models import Person
from venues.models import Venue

FEED_LENGTH = 50


class PapersAtomFeed(Atom1Feed):
    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, uri in item.get("authors", ()):
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            if uri:
                handler.addQuickElement("uri", uri)
            handler.endElement("author")


class PaperFeed(Feed):
    feed_type = PapersAtomFeed
    # Atom wants an author for every entry; entries without known authors
    # fall back to the feed's.
    author_name = "Papershelf"

    def papers(self, obj):
        return Paper.objects.all()

    def items(self, obj):
        return self.papers(obj).with_relations().newest_first()[:FEED_LENGTH]

    def __call__(self, request, *args, **kwargs):
        # The URLconf holds one instance for every request: answer each with a
        # copy that knows its request (for absolute author links).
        feed = copy.copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def item_title(self, paper):
        return plain_text(paper.title)

    def item_description(self, paper):
        parts = []
        names = [row.person.name for row in paper.placed_authorships()]
        if names:
            et_al = " et al." if paper.et_al_after(len(names)) else ""
            parts.append(format_html("<p>{}{}</p>", ", ".join(names), et_al))
        where = [text for text in (paper.venue.name if paper.venue else "", paper.year) if text]
        if where:
            parts.append(format_html("<p>{}</p>", ", ".join(str(w) for w in where)))
        if paper.abstract:
            parts.append(format_html("<p>{}</p>", paper.abstract))
        return "".join(parts)

    def item_extra_kwargs(self, paper):
        return {
            "authors": [
                (row.person.name, self.request.build_absolute_uri(row.person.get_absolute_url()))
                for row in paper.placed_authorships()
            ]
        }

    def item_categories(self, paper):
        categories = [paper.venue.name] if paper.venue else []
        if paper.year:
            categories.append(str(paper.year))
        return categories + [award.name for award in paper.awards.all()]

    def item_pubdate(self, paper):
        if paper.published_on:
            day = paper.published_on
        elif paper.year:
            day = datetime.date(paper.year, 1, 1)
        else:
            return paper.created_at
        return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)

    def item_updateddate(self, paper):
        return paper.updated_at or timezone.now()


class LatestPapersFeed(PaperFeed):
    title = "Papershelf: newest papers"
    subtitle = "The newest papers in the catalog."

    def link(self):
        return reverse("catalog:paper-list")

    def feed_url(self):
        return reverse("catalog:feed")


class SubjectPapersFeed(PaperFeed):
    """The papers of one row of `model`, found by the slug in the URL; its feed
    is served at the URL named `feed_view`, its page at the row's own."""

    model = None
    feed_view = ""

    def get_object(self, request, slug):
        return get_object_or_404(self.model, slug=slug)

    def link(self, obj):
        return obj.get_absolute_url()

    def feed_url(self, obj):
        return reverse(self.feed_view, args=[obj.slug])


class PersonPapersFeed(SubjectPapersFeed):
    model = Person
    feed_view = "catalog:person-feed"

    def papers(self, person):
        return Paper.objects.by_person(person)

    def title(self, person):
        return f"Papershelf: papers by {person.name}"


class VenuePapersFeed(SubjectPapersFeed):
    model = Venue
    feed_view = "catalog:venue-feed"

    def papers(self, venue):
        return Paper.objects.in_venue(venue)

    def title(self, venue):
        return f"Papershelf: papers in {venue.name}"


class AwardPapersFeed(SubjectPapersFeed):
    model = Award
    feed_view = "catalog:award-feed"

    def papers(self, award):
        return award.papers.all()

    def title(self, award):
        return f"Papershelf: papers with the {award.name}"
