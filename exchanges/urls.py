from django.urls import path

from . import views

app_name = "exchanges"

urlpatterns = [
    path("embed/<slug:kind>/", views.embed, name="embed"),
    path("embed/<slug:kind>/<str:key>/", views.embed, name="embed"),
    path("oembed/", views.oembed, name="oembed"),
]
