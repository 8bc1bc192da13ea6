def test_healthz_answers_while_the_process_lives(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_checks_the_database(client, db, settings):
    settings.REDIS_URL = ""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "status": "ok"}


def test_readyz_says_why_when_the_broker_is_unreachable(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok" and body["status"] == "unavailable"
    assert body["broker"].startswith("broker unreachable: ")


def test_probes_answer_any_host_over_plain_http(client, db, settings):
    settings.ALLOWED_HOSTS = ["planning.example.nhs.uk"]
    settings.SECURE_SSL_REDIRECT = True
    settings.REDIS_URL = ""
    assert client.get("/healthz", HTTP_HOST="10.0.0.7").status_code == 200
    assert client.get("/readyz", HTTP_HOST="10.0.0.7").status_code == 200
    # ...while every other page still checks the host
    assert client.get("/accounts/login/", HTTP_HOST="10.0.0.7").status_code == 400
