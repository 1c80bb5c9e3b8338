from django.urls import path
from rest_framework.routers import SimpleRouter

from ..kinds import KINDS
from . import views
from .schema import DocsView, SchemaView

router = SimpleRouter()
for kind in KINDS.values():
    router.register(kind.plural, views.VIEWSETS[kind.name], basename=kind.name)

urlpatterns = [
    path("summary/", views.SummaryView.as_view(), name="summary"),
    path("changes/", views.ChangesView.as_view(), name="changes"),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", DocsView.as_view(), name="api-docs"),
    *router.urls,
]
