from django.urls import path

from venues import views

app_name = "venues"

urlpatterns = [
    path("", views.VenueListView.as_view(), name="list"),
    path("<slug:slug>/", views.VenueDetailView.as_view(), name="detail"),
]
