from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views
from .schema import DocsView, SchemaView

router = SimpleRouter()
router.register("exchanges", views.ExchangeViewSet, basename="exchange")
router.register("agreements", views.AgreementViewSet, basename="agreement")
router.register("tallies", views.TallyViewSet, basename="tally")
router.register("quotes", views.QuoteViewSet, basename="quote")
router.register("people", views.PersonViewSet, basename="person")
router.register("organisations", views.OrganisationViewSet, basename="organisation")

urlpatterns = [
    path("summary/", views.SummaryView.as_view(), name="summary"),
    path("changes/", views.ChangesView.as_view(), name="changes"),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", DocsView.as_view(), name="api-docs"),
    *router.urls,
]
