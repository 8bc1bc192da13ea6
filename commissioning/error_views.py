"""Django's error handlers: JSON in the API's error shape under /api/, pages elsewhere.

The 500 page is plain HTML written here, not a template that extends the layout: the layout
asks the database for the CCG switcher, and the database may be why the request failed.
"""

from django.http import HttpResponse, HttpResponseNotFound
from django.template.loader import render_to_string

from .api_errors import api_not_found, api_server_error


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception=None):
    if _is_api(request):
        return api_not_found(request, exception)
    try:
        html = render_to_string("errors/404.jinja", {"title": "Page not found"}, request=request)
    except Exception:  # noqa: BLE001 - a broken layout must not hide the 404
        html = PLAIN_PAGE.format(
            title="Page not found",
            message="If you typed the web address, check it is correct. "
            "If you pasted the web address, check you copied the entire address.",
        )
    return HttpResponseNotFound(html)


def server_error(request):
    if _is_api(request):
        return api_server_error(request)
    return HttpResponse(
        PLAIN_PAGE.format(
            title="Sorry, there is a problem with the service",
            message="Try again later. The problem has been logged; nothing you saved is lost.",
        ),
        status=500,
    )


PLAIN_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} – Commissioning plans</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<h1>{title}</h1><p>{message}</p><p><a href="/">Go to the home page</a></p></body></html>
"""
