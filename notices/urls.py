from django.urls import path

from .views import notices, settings

app_name = "notices"

urlpatterns = [
    path("", notices.notice_list, name="list"),
    path("<int:pk>/acknowledge/", notices.acknowledge, name="acknowledge"),
    path("settings/<slug:service>/", settings.notice_settings, name="settings"),
]
