"""The user's account page at /accounts/: who they are, their roles and their API tokens.

One URL serves the page and its two actions, so it stays one entry in the public contract:

- GET                                    the page
- GET  ?revoke=<id>                      confirm revoking one of the user's tokens
- POST action=create, name, read_only    create a token: the page again, the key shown once
- POST action=revoke, token=<id>         revoke it (after the confirmation), back to the page

Tokens are read through `request.user.api_tokens` and memberships through
`request.user.memberships`: the owner's own relation is the scope here (a token is a
person's, not a CCG's), so another user's token id answers 404. Only a hash of a key is
stored; the plain key exists in the one response that creates it, which is never cached.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .access import ccg_scope
from .forms_account import ApiTokenForm
from .models import ApiToken

NEVER = "Never"


def when(value) -> str:
    """A moment as the pages write it: 3 March 2016 at 14:05 (UK time)."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def membership_rows(user) -> list[dict]:
    """The user's roles: national ones (no CCG) first, then each CCG by name."""
    rows = []
    for membership in user.memberships.select_related("ccg"):
        ccg = membership.ccg
        role = membership.get_role_display()
        if ccg is None:
            rows.append({"national": True, "role": role, "name": "Every CCG", "ods_code": ""})
            continue
        rows.append(
            {
                "national": False,
                "role": role,
                "name": ccg.name,
                "ods_code": ccg.ods_code,
                "href": reverse("ccg-detail", kwargs={"ods": ccg.ods_code}),
                "closed": bool(ccg.close_date),
            }
        )
    return sorted(rows, key=lambda row: (not row["national"], row["name"]))


def token_row(token: ApiToken) -> dict:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "access": "Read-only" if token.read_only else "Read and write",
        "read_only": token.read_only,
        "created": when(token.created_at),
        "last_used": when(token.last_used_at) or NEVER,
        "revoked": when(token.revoked_at),
    }


def _own_token(request, raw_id) -> ApiToken:
    """One of the signed-in user's tokens, or 404 (another user's token is not there)."""
    try:
        pk = int(raw_id)
    except (TypeError, ValueError):
        raise Http404("No such token.") from None
    return get_object_or_404(request.user.api_tokens, pk=pk)


def _page(request, form: ApiTokenForm, *, created=None, key: str = "", status: int = 200):
    user = request.user
    tokens = list(user.api_tokens.all())  # newest first (the model's ordering)
    active = [token_row(t) for t in tokens if t.revoked_at is None]
    revoked = sorted(
        (t for t in tokens if t.revoked_at is not None), key=lambda t: t.revoked_at, reverse=True
    )
    context = {
        "title": "Your account",
        "error_list": form.error_list(),
        "form": form,
        "full_name": user.get_full_name(),
        "username": user.get_username(),
        "is_staff": user.is_staff or user.is_superuser,
        "sees_everything": ccg_scope(user).everything,
        "memberships": membership_rows(user),
        "active_tokens": active,
        "revoked_tokens": [token_row(t) for t in revoked],
        "created": token_row(created) if created else None,
        "key": key,
    }
    if key:
        api_root = request.build_absolute_uri(reverse("api:api-root"))
        context["curl_example"] = (
            f'curl \\\n  -H "Authorization: Token {key}" \\\n  {api_root}ccgs/'
        )
    return render(request, "commissioning/account.jinja", context, status=status)


def _create(request):
    form = ApiTokenForm(request.POST, user=request.user)
    if not form.is_valid():
        return _page(request, form, status=400)
    token, key = ApiToken.issue(
        request.user, name=form.cleaned_data["name"], read_only=form.cleaned_data["read_only"]
    )
    # Rendered, not redirected: the key is in this response only, never in a session.
    return _page(request, ApiTokenForm(user=request.user), created=token, key=key)


def _confirm_revoke(request, token: ApiToken):
    if token.revoked_at is not None:
        messages.info(request, f"The API token {token.name} is revoked already.")
        return redirect("account")
    return render(
        request,
        "commissioning/account_revoke.jinja",
        {"title": f"Revoke the API token {token.name}", "token": token_row(token)},
    )


def _revoke(request):
    token = _own_token(request, request.POST.get("token"))
    if token.revoked_at is not None:
        messages.info(request, f"The API token {token.name} is revoked already.")
    else:
        token.revoke()
        messages.success(
            request,
            f"API token revoked: {token.name}. Requests made with it are refused from now on.",
        )
    return redirect("account")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            return _create(request)
        if action == "revoke":
            return _revoke(request)
        return HttpResponseBadRequest("Unknown action.")
    if "revoke" in request.GET:
        return _confirm_revoke(request, _own_token(request, request.GET["revoke"]))
    return _page(request, ApiTokenForm(user=request.user))
