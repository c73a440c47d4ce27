from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from web import api, metrics, views

# JSON under /api/, NHS.UK pages elsewhere (vig_service/errors.py).
handler400 = "web.errors.bad_request"
handler403 = "web.errors.permission_denied"
handler404 = "web.errors.page_not_found"
handler500 = "web.errors.server_error"

api_v1 = [
    path("me/", api.MeView.as_view(), name="me"),
    path("auth/token/", api.TokenCreateView.as_view(), name="token_create"),
    path("auth/token/revoke/", api.TokenDeleteView.as_view(), name="token_revoke"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI sets a few inline styles; only this page (which holds no family data) allows them.
    path(
        "docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path("", include("referrals.api_urls")),
    path("", include("notices.api_urls")),
    path("", include("cycles.api_urls")),
    path("", include("outcomes.api_urls")),
    path("", include("letters.api_urls")),
    path("", include("discharge.api_urls")),
    path("", include("dashboards.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("accounts/", include("accounts.urls")),
    path("referrals/", include("referrals.urls")),
    path("notices/", include("notices.urls")),
    path("cycles/", include("cycles.urls")),
    path("outcomes/", include("outcomes.urls")),
    path("letters/", include("letters.urls")),
    path("governance/", include("governance.urls")),
    path("audit/", include("audit.urls")),
    path("discharge/", include("discharge.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("api/v1/", include((api_v1, "api"))),
    path("api/fhir/R4/", include("interop.api_urls")),
    path("admin/", admin.site.urls),
]
