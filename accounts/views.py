"""Log-in, second factor and staff pages. Thin: load, check, call an action, redirect."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token

from accounts.permissions import Perm, require_permission, services_with

from . import actions, mfa, oidc
from .audit import hash_term, log_access
from .forms import CodeForm, LoginForm, VerifyForm
from .models import AccessAction, Membership, User


def _safe_next(request: HttpRequest, target: str | None = None) -> str:
    if target is None:
        target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


class LoginView(auth_views.LoginView):
    """Password first; then the second factor (verify if enrolled, enrol if not — offered only in demo mode)."""

    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        super().form_valid(form)
        user = form.get_user()
        next_url = _safe_next(self.request)
        if mfa.has_confirmed_device(user):
            return redirect(f"{reverse('accounts:mfa_verify')}?{urlencode({'next': next_url})}")
        if settings.DEMO_MODE:
            messages.info(self.request, "Demo mode: you can set up two-step sign-in from 'Account security'.")
            return redirect(next_url)
        return redirect("accounts:mfa_enrol")

    def get_context_data(self, **kwargs):
        """Offer the provider's sign-in beside the password when the install names one."""
        context = super().get_context_data(**kwargs)
        context["oidc_enabled"] = oidc.enabled()
        context["oidc_provider_name"] = settings.OIDC_PROVIDER_NAME
        return context


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default); ends the server-side session, then the provider's if one signed them in."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get(OIDC_ID_TOKEN_SESSION_KEY, "")
        response = super().post(request, *args, **kwargs)
        if id_token and oidc.enabled():
            target = oidc.end_session_url(
                id_token=id_token, post_logout_redirect_uri=request.build_absolute_uri(reverse("accounts:login"))
            )
            if target:
                return HttpResponseRedirect(target)
        return response


OIDC_ID_TOKEN_SESSION_KEY = "vig_oidc_id_token"


def oidc_start(request: HttpRequest) -> HttpResponse:
    """Go to the provider to sign in (404 when the install has none)."""
    if not oidc.enabled():
        raise Http404
    try:
        return oidc.StartView.as_view()(request)
    except oidc.SignInRefused as refusal:
        return _oidc_refused(request, refusal)


def oidc_callback(request: HttpRequest) -> HttpResponse:
    """The provider sends the browser back here: check state, exchange the code, check the token, find the
    linked account. Every outcome is written to the access log; nothing here creates an account or a role."""
    if not oidc.enabled():
        raise Http404
    states = request.session.get("oidc_states") or {}
    state = request.GET.get("state", "")
    if request.GET.get("error"):
        states.pop(state, None)
        request.session["oidc_states"] = states
        error = "".join(c for c in request.GET["error"][:40] if c.isalnum() or c == "_")
        return _oidc_refused(request, oidc.SignInRefused("provider error", error))
    if not state or state not in states or not request.GET.get("code"):
        # Altered in transit, or the same answer sent again after its state was spent.
        return _oidc_refused(request, oidc.SignInRefused("state mismatch"))
    pending = states.pop(state)
    request.session["oidc_states"] = states
    next_url = request.session.pop("oidc_login_next", None) or ""
    backend = None
    try:
        backend = oidc.ProviderBackend()
        user = backend.authenticate(request, nonce=pending.get("nonce"), code_verifier=pending.get("code_verifier"))
    except oidc.UnknownIdentity as unknown:
        log_access(
            action=AccessAction.FAILED_LOGIN,
            request=request,
            detail={"stage": "provider", "reason": unknown.reason, "subject_hash": hash_term(unknown.subject)},
        )
        context = {
            "subject": unknown.subject,
            "contact": settings.OIDC_ACCOUNT_CONTACT,
            "provider_name": settings.OIDC_PROVIDER_NAME,
        }
        return render(request, "accounts/oidc_unknown.html", context, status=403)
    except oidc.SignInRefused as refusal:
        return _oidc_refused(request, refusal)
    if user is None:
        return _oidc_refused(request, oidc.SignInRefused("state mismatch"))
    assured = oidc.assurance_met(backend.claims)
    request.vig_login_detail = {"method": "provider", "assurance": "met" if assured else "not met"}
    auth_login(request, user, backend="accounts.backends.UserBackend")
    request.session[OIDC_ID_TOKEN_SESSION_KEY] = backend.id_token
    target = _safe_next(request, next_url)
    if assured:
        otp_login(request, backend.identity)
        return redirect(target)
    if mfa.has_confirmed_device(user):
        return redirect(f"{reverse('accounts:mfa_verify')}?{urlencode({'next': target})}")
    if settings.DEMO_MODE:
        return redirect(target)
    return redirect("accounts:mfa_enrol")


def _oidc_refused(request: HttpRequest, refusal: "oidc.SignInRefused") -> HttpResponse:
    """Log a refused sign-in by its reason and send the person back to the sign-in page to try again."""
    log_access(
        action=AccessAction.FAILED_LOGIN,
        request=request,
        detail={"stage": "provider", "reason": refusal.reason},
    )
    messages.error(
        request,
        f"Signing in with {settings.OIDC_PROVIDER_NAME} did not work. Try again, or sign in with your password.",
    )
    return redirect("accounts:login")


@login_required
def mfa_enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), then prove it with a code.

    Once an app is enrolled this page is closed: a password alone must never be enough to replace it (a lost
    phone is reset by a service admin).
    """
    if mfa.has_confirmed_device(request.user):
        return redirect("accounts:security" if request.user.is_verified() else "accounts:mfa_verify")
    device = mfa.pending_totp_device(request.user) or actions.start_totp_enrolment(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = actions.confirm_totp_enrolment(
                user=request.user, device=device, token=form.cleaned_data["code"], request=request
            )
        except actions.ActionRefused as refusal:
            form.add_error("code", str(refusal))
        else:
            otp_login(request, device)
            request.session["vig_new_recovery_codes"] = codes
            return redirect("accounts:mfa_recovery_codes")
    context = {
        "form": form,
        "qr_code": mfa.qr_code_data_uri(device),
        "secret": mfa.secret_base32(device),
        "issuer": mfa.issuer(),
    }
    return render(request, "accounts/mfa_enrol.html", context)


@login_required
def mfa_recovery_codes(request: HttpRequest) -> HttpResponse:
    """Show freshly issued recovery codes exactly once."""
    codes = request.session.pop("vig_new_recovery_codes", None)
    if not codes:
        return redirect("accounts:security")
    return render(request, "accounts/mfa_recovery_codes.html", {"codes": codes})


@login_required
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """The second step of every log-in once enrolled. Devices throttle repeated wrong codes themselves."""
    if request.user.is_verified():
        return redirect(_safe_next(request))
    if not mfa.has_confirmed_device(request.user):
        return redirect("accounts:mfa_enrol")
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            if device.name == mfa.RECOVERY_DEVICE_NAME:
                messages.warning(
                    request,
                    f"You used a recovery code. {mfa.recovery_codes_left(request.user)} left: "
                    "set up your authenticator again from 'Account security' if you have lost your phone.",
                )
            return redirect(_safe_next(request))
        log_access(action=AccessAction.FAILED_LOGIN, request=request, detail={"stage": "second factor"})
        form.add_error("code", "The security code is not right. Enter the newest code from your app.")
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _safe_next(request)})


@login_required
def security(request: HttpRequest) -> HttpResponse:
    """Account security: is two-step sign-in set up, how many recovery codes are left."""
    context = {
        "enrolled": mfa.has_confirmed_device(request.user),
        "verified": request.user.is_verified(),
        "recovery_codes_left": mfa.recovery_codes_left(request.user),
    }
    return render(request, "accounts/security.html", context)


@login_required
@require_POST
def regenerate_recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes need a verified session, so a stolen password alone cannot mint them."""
    if not request.user.is_verified():
        messages.error(request, "Sign in with your security code first.")
        return redirect("accounts:security")
    request.session["vig_new_recovery_codes"] = actions.regenerate_recovery_codes(user=request.user)
    return redirect("accounts:mfa_recovery_codes")


@require_permission(Perm.STAFF_MANAGE)
def staff_list(request: HttpRequest) -> HttpResponse:
    """Staff of the services this admin manages, with their roles and whether two-step sign-in is set up."""
    service_ids = services_with(request.user, Perm.STAFF_MANAGE)
    memberships = Membership.objects.filter(service_id__in=service_ids).select_related("service")
    staff = (
        User.objects.filter(memberships__service_id__in=service_ids)
        .distinct()
        .prefetch_related(Prefetch("memberships", queryset=memberships, to_attr="visible_memberships"))
        .prefetch_related("totpdevice_set")
        .order_by("last_name", "first_name", "username")
    )
    rows = [
        {"user": u, "memberships": u.visible_memberships, "enrolled": any(d.confirmed for d in u.totpdevice_set.all())}
        for u in staff
    ]
    log_access(action=AccessAction.LIST, request=request, object_type="accounts.user", detail={"count": len(rows)})
    return render(request, "accounts/staff_list.html", {"rows": rows})


@require_permission(Perm.STAFF_MANAGE)
@require_POST
def staff_reset_mfa(request: HttpRequest, user_id: int) -> HttpResponse:
    """Reset a colleague's second factor after checking they belong to one of this admin's services."""
    service_ids = services_with(request.user, Perm.STAFF_MANAGE)
    target = get_object_or_404(User.objects.filter(memberships__service_id__in=service_ids).distinct(), pk=user_id)
    try:
        actions.reset_second_factor(user=target, by=request.user, request=request)
    except actions.ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request, f"Two-step sign-in reset for {target}. They will set it up the next time they sign in."
        )
    return redirect("accounts:staff")
