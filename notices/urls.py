from django.urls import path

from .views import notices

app_name = "notices"

urlpatterns = [
    path("", notices.notice_list, name="list"),
    path("<int:pk>/acknowledge/", notices.acknowledge, name="acknowledge"),
]
