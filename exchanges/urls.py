from django.urls import include, path

from . import views
from .api import urls as api_urls

app_name = "exchanges"

urlpatterns = [
    path("embed/<slug:kind>/", views.embed, name="embed"),
    path("embed/<slug:kind>/<str:key>/", views.embed, name="embed"),
    path("oembed/", views.oembed, name="oembed"),
    path("api/v1/", include(api_urls.urlpatterns)),
    path("feeds/<slug:kind>.<slug:format>", views.feed, name="feed"),
]
