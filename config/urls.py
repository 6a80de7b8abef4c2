from django.contrib import admin
from django.urls import include, path

from config.views import healthz

admin.site.site_header = "Papershelf administration"
admin.site.site_title = "Papershelf admin"
admin.site.index_title = "Catalog curation"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("", include("oai.urls")),
    path("", include("api.urls")),
    path("people/", include("people.urls")),
    path("venues/", include("venues.urls")),
    path("", include("catalog.urls")),
]
