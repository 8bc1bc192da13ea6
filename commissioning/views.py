"""Browser pages of the core domain: sign in, the CCGs a user can see, a CCG's overview.

Thin views: every queryset goes through `for_user(request.user)`; display logic lives in
`presenters.py`; the pages are Jinja2 templates under templates/commissioning/.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from . import presenters
from .access import Role, ccg_scope
from .governing_body import check_composition
from .models import (
    CCG,
    CommissionedProvider,
    GoverningBodyMembership,
    Locality,
    PartnerOrganisation,
    Practice,
)
from .models.organisations import open_practices


class SignInForm(AuthenticationForm):
    """Django's sign-in form with error messages in the NHS.UK content style."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is inactive. Ask an administrator to reactivate it.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["password"].widget = forms.PasswordInput()


class SignInView(LoginView):
    template_name = "commissioning/login.jinja"
    authentication_form = SignInForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["error_list"] = presenters.sign_in_errors(context["form"])
        return context


@login_required
def home(request):
    ccgs = (
        CCG.objects.for_user(request.user)
        .annotate(open_practice_count=Count("practices", filter=open_practices("practices__")))
        .order_by("name")
    )
    return render(
        request,
        "commissioning/home.jinja",
        {"ccgs": ccgs, "scope": ccg_scope(request.user)},
    )


@login_required
@require_GET
def ccg_switch(request):
    """The CCG switcher's target: a GET form, so it works without JavaScript."""
    ods = request.GET.get("ccg", "").strip().upper()
    ccg = get_object_or_404(CCG.objects.for_user(request.user), ods_code=ods)
    return redirect("ccg-detail", ods=ccg.ods_code)


@login_required
def ccg_detail(request, ods: str):
    user = request.user
    ccg = get_object_or_404(
        CCG.objects.for_user(user).select_related("successor"), ods_code=ods.upper()
    )
    localities = (
        Locality.objects.for_user(user)
        .for_ccg(ccg)
        .annotate(recorded_practice_count=Count("practices", filter=open_practices("practices__")))
        .order_by("name")
    )
    practices = (
        Practice.objects.for_user(user)
        .for_ccg(ccg)
        .with_latest_list_size()
        .select_related("locality")
        .order_by("name")
    )
    providers = (
        CommissionedProvider.objects.for_user(user)
        .for_ccg(ccg)
        .select_related("provider")
        .order_by("provider__name")
    )
    partners = PartnerOrganisation.objects.for_user(user).for_ccg(ccg).order_by("kind", "name")
    seats = list(
        GoverningBodyMembership.objects.for_user(user)
        .for_ccg(ccg)
        .current()
        .select_related("person")
        .order_by("order", "id")
    )
    scope = ccg_scope(user)
    successor_visible = bool(
        ccg.successor_id and (scope.everything or ccg.successor_id in scope.ccg_ids())
    )
    return render(
        request,
        "commissioning/ccg_detail.jinja",
        {
            "ccg": ccg,
            "current_ccg": ccg,
            "facts": presenters.ccg_facts(ccg, successor_visible=successor_visible),
            "localities": localities,
            "practices": practices,
            "providers": providers,
            "partners": partners,
            "seats": seats,
            "composition_warnings": check_composition(seats),
            # Committees' internal records (risks, assurance) are not for scrutiny members.
            "reads_internal": scope.everything or scope.role_in(ccg.pk) != Role.SCRUTINY,
        },
    )


def bench_floor(request):
    """The benchmarks' framework floor: a tiny answer through the whole middleware stack,
    with the signed-in user looked up (session and user) as every page does. Routed at
    /bench/floor/ only when settings.BENCH_FLOOR_VIEW is true (bench/http_load.py)."""
    from django.http import HttpResponse

    signed_in = request.user.is_authenticated
    return HttpResponse(b"ok" if signed_in else b"ok, anonymous", content_type="text/plain")
