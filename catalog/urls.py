from django.contrib.sitemaps.views import sitemap
from django.urls import path, re_path

from catalog import feeds, views
from catalog.sitemaps import SITEMAPS

app_name = "catalog"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("papers/", views.PaperListView.as_view(), name="paper-list"),
    # The filtered-list export comes before the per-paper export, and no paper
    # is ever given the slug "export" (catalog.models.RESERVED_PAPER_SLUGS).
    re_path(
        r"^papers/export\.(?P<extension>bib|ris|json)$",
        views.PaperListExportView.as_view(),
        name="list-export",
    ),
    re_path(
        r"^papers/(?P<slug>[-a-zA-Z0-9_]+)\.(?P<extension>bib|ris|json)$",
        views.PaperExportView.as_view(),
        name="paper-export",
    ),
    path("papers/<slug:slug>/", views.PaperDetailView.as_view(), name="paper-detail"),
    # A list's facets apart from its rows, under their own prefix (as the
    # feeds): no paper slug can shadow them.
    path("facets/papers/", views.PaperFacetsView.as_view(), name="paper-facets"),
    path(
        "facets/papers/fragment/",
        views.PaperFacetsView.as_view(fragment=True),
        name="paper-facets-fragment",
    ),
    path("awards/", views.AwardListView.as_view(), name="award-list"),
    path("awards/<slug:slug>/", views.AwardDetailView.as_view(), name="award-detail"),
    # Feeds live under their own prefix, so no feed URL can shadow a slug.
    path("feeds/papers/", feeds.LatestPapersFeed(), name="feed"),
    path("feeds/people/<slug:slug>/", feeds.PersonPapersFeed(), name="person-feed"),
    path("feeds/venues/<slug:slug>/", feeds.VenuePapersFeed(), name="venue-feed"),
    path("feeds/awards/<slug:slug>/", feeds.AwardPapersFeed(), name="award-feed"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
]
