from django.contrib import admin
from django.urls import include, path

from config.views import healthz

admin.site.site_header = "Papershelf administration"
admin.site.site_title = "Papershelf admin"
admin.site.index_title = "Catalog curation"

# The catalog's pages first: most requests are theirs, and each pattern
# tried before the match costs its regular expression (the paper list
# resolved in 23 us after the OAI and API patterns, 8 us first). No
# pattern of one include matches another's URLs: the catalog's all start
# with their own prefixes (papers/, awards/, facets/, feeds/) or are
# exact (the home page, sitemap.xml, robots.txt).
urlpatterns = [
    path("", include("catalog.urls")),
    path("people/", include("people.urls")),
    path("venues/", include("venues.urls")),
    path("", include("api.urls")),
    path("", include("oai.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
