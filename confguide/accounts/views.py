"""Sign up and sign in, on top of Django's auth views.

Both merge the anonymous schedule kept in the browser session into the
account, explicitly, right after logging in.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView, PasswordResetView, RedirectURLMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView

from confguide.accounts import ratelimit
from confguide.accounts.forms import SignUpForm
from confguide.accounts.services import register_attendee
from confguide.ratelimit import Refusal, limited_for, refuse
from confguide.tasks import send_password_reset


class LimitedPerAddressMixin:
    """A form view whose posts one client address may make only so often.

    Beyond `limit_setting` posts in the sign-in window, the form comes back
    with what was typed, `limit_reason` and a 429.
    """

    limit_scope: str
    limit_setting: str
    limit_reason: str

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        wait = limited_for(
            scope=self.limit_scope,
            request=request,
            limit=getattr(settings, self.limit_setting),
            window=settings.SIGN_IN_LOCKOUT_SECONDS,
        )
        if wait is None:
            return super().post(request, *args, **kwargs)
        form = self.get_form()
        form.is_valid()  # keep what the visitor typed
        return refuse(
            request,
            self.template_name,
            self.get_context_data(form=form),
            Refusal(self.limit_reason, retry_after=wait),
        )


class SignInView(LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        username = str(request.POST.get("username", ""))[:150]
        wait = ratelimit.blocked_for(username=username, address=ratelimit.client_address(request))
        if wait is not None:
            # Refused before the password is even checked.
            return refuse(
                request,
                self.template_name,
                self.get_context_data(form=self.form_class(request)),
                Refusal(
                    "Too many failed sign-in attempts: for your account's safety, "
                    "signing in is paused.",
                    retry_after=wait,
                    advice="If you forgot your password, reset it below.",
                ),
            )
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form) -> HttpResponse:
        ratelimit.record_failure(
            username=str(form.data.get("username", ""))[:150],
            address=ratelimit.client_address(self.request),
        )
        return super().form_invalid(form)

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        ratelimit.clear_account(
            username=form.get_user().get_username(),
            address=ratelimit.client_address(self.request),
        )
        return response


@method_decorator([sensitive_post_parameters(), csrf_protect, never_cache], name="dispatch")
class SignUpView(LimitedPerAddressMixin, RedirectURLMixin, FormView):
    template_name = "registration/signup.html"
    form_class = SignUpForm
    next_page = "myschedule:index"
    # Accounts made in bulk from one address are refused for a while.
    limit_scope = "sign-up"
    limit_setting = "SIGN_UPS_PER_ADDRESS"
    limit_reason = "Too many new accounts from your network in a short time."

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            return redirect(self.get_success_url())
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context[self.redirect_field_name] = self.get_redirect_url()
        return context

    def form_valid(self, form) -> HttpResponse:
        user = register_attendee(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
        )
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, "Welcome! Your account is ready.")
        return redirect(self.get_success_url())


class LimitedPasswordResetView(LimitedPerAddressMixin, PasswordResetView):
    """Password reset, with requests limited per client address.

    Django answers the same whether or not the address has an account, so no
    account is revealed; the limit stops one visitor from flooding inboxes.
    """

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    limit_scope = "password-reset"
    limit_setting = "PASSWORD_RESET_REQUESTS_PER_ADDRESS"
    limit_reason = "Too many password reset requests from your network in a short time."

    def form_valid(self, form) -> HttpResponse:
        # The worker looks the address up and sends the mail: the answer is
        # quick, and as quick for an unknown address as for a known one.
        send_password_reset.enqueue(form.cleaned_data["email"])
        return HttpResponseRedirect(self.get_success_url())
