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


class UpdatedSitemap(Sitemap):
    """The pages of `model`'s rows, each last modified when its row was."""

    changefreq = "monthly"
    model = None

    def items(self):
        return self.model.objects.order_by("pk").only("slug", "updated_at")

    def lastmod(self, obj):
        return obj.updated_at


class PaperSitemap(UpdatedSitemap):
    model = Paper


class PersonSitemap(UpdatedSitemap):
    model = Person


class VenueSitemap(UpdatedSitemap):
    model = Venue


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
