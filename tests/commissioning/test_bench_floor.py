"""The benchmarks' floor view (/bench/floor/) is routed only when BENCH_FLOOR_VIEW is on."""

import importlib

from django.test import override_settings
from django.urls import clear_url_caches


def test_the_floor_view_is_not_routed_by_default(client, settings):
    assert settings.BENCH_FLOOR_VIEW is False
    assert client.get("/bench/floor/").status_code == 404


def test_with_bench_floor_view_on_it_answers_through_the_middleware(client, settings):
    import commissioning.urls

    try:
        with override_settings(BENCH_FLOOR_VIEW=True):
            importlib.reload(commissioning.urls)
            clear_url_caches()
            answer = client.get("/bench/floor/")
            assert answer.status_code == 200
            assert answer.content == b"ok, anonymous"
            # The middleware ran: the security headers every page has are on it too.
            assert answer["X-Content-Type-Options"] == "nosniff"
    finally:
        importlib.reload(commissioning.urls)
        clear_url_caches()
    assert client.get("/bench/floor/").status_code == 404
