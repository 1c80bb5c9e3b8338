from django.urls import include, path

from . import opendata, views
from .api import urls as api_urls

app_name = "exchanges"

urlpatterns = [
    path("embed/<slug:kind>/", views.embed, name="embed"),
    path("embed/<slug:kind>/<str:key>/", views.embed, name="embed"),
    path("oembed/", views.oembed, name="oembed"),
    path("api/v1/", include(api_urls.urlpatterns)),
    path("feeds/<slug:kind>.<slug:format>", views.feed, name="feed"),
    # Open data: the published records as files, and the figures of each box.
    path("data/", opendata.index, name="data"),
    path("data/box/<slug:kind>.csv", views.box_data, name="box-data"),
    path("data/box/<slug:kind>/<str:key>.csv", views.box_data, name="box-data"),
    path("data/<slug:kind>.<slug:format>", opendata.download, name="data-file"),
]
