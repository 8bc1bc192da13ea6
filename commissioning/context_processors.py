"""What every page needs to draw its navigation and CCG switcher."""

from .access import ccg_scope


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"switcher_ccgs": []}
    from .models import CCG

    # The switcher lists the CCGs the user can see, most useful first; capped for assurers.
    ccgs = list(CCG.objects.for_user(user).only("ods_code", "name", "short_name")[:300])
    return {"switcher_ccgs": ccgs, "scope": ccg_scope(user)}
