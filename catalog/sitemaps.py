"""sitemap.xml: every paper, person, venue and award page."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from catalog.models import Award, Paper
from people.models import Person
from venues.models import Venue


class StaticSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return [
            "catalog:home",
            "catalog:paper-list",
            "people:list",
            "venues:list",
            "catalog:award-list",
        ]

    def location(self, item):
        return reverse(item)


class PaperSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Paper.objects.order_by("pk").only("slug", "updated_at")

    def lastmod(self, paper):
        return paper.updated_at


class PersonSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Person.objects.order_by("pk").only("slug", "updated_at")

    def lastmod(self, person):
        return person.updated_at


class VenueSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Venue.objects.order_by("pk").only("slug", "updated_at")

    def lastmod(self, venue):
        return venue.updated_at


class AwardSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Award.objects.order_by("pk").only("slug")


SITEMAPS = {
    "pages": StaticSitemap,
    "papers": PaperSitemap,
    "people": PersonSitemap,
    "venues": VenueSitemap,
    "awards": AwardSitemap,
}
