from django.urls import path

from venues import views

app_name = "venues"

urlpatterns = [
    path("<slug:slug>/", views.VenueDetailView.as_view(), name="detail"),
]
