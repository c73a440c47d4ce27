from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/provider/", views.oidc_start, name="oidc_start"),
    path("login/provider/callback/", views.oidc_callback, name="oidc_callback"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("two-step/set-up/", views.mfa_enrol, name="mfa_enrol"),
    path("two-step/recovery-codes/", views.mfa_recovery_codes, name="mfa_recovery_codes"),
    path("two-step/verify/", views.mfa_verify, name="mfa_verify"),
    path("security/", views.security, name="security"),
    path("security/recovery-codes/", views.regenerate_recovery_codes, name="regenerate_recovery_codes"),
    path("staff/", views.staff_list, name="staff"),
    path("staff/<int:user_id>/reset-two-step/", views.staff_reset_mfa, name="staff_reset_mfa"),
]
