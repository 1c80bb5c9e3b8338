from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    # Liveness (the process answers; /health/ is the benchmarks' baseline) and
    # readiness (the database and the cache answer), for load balancers.
    path("health/", views.health, name="health"),
    path("healthz", views.health, name="healthz"),
    path("readyz", views.readiness, name="readyz"),
    path("articles/<slug:slug>/", views.article, name="article"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("exchanges.urls")),
]

# A database that fails is a short 503 page, not a 500 (DEBUG off).
handler500 = views.server_error

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
