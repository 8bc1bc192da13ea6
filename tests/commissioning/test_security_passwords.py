"""Weak passwords are refused wherever a password is set: the admin's add-user and
change-password forms and `createsuperuser` (also with --noinput and
DJANGO_SUPERUSER_PASSWORD, which Django alone does not validate).

There is no password-change page for users outside the admin: administrators set passwords.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from tests.factories import PASSWORD, UserFactory

User = get_user_model()
STRONG = "Lichfield-Minster-1195"
WEAK = [
    ("short", "Xy7!pq"),  # MinimumLengthValidator: fewer than 8 characters
    ("common", "password123"),  # CommonPasswordValidator
    ("numeric", "20160401391"),  # NumericPasswordValidator
    ("like-the-username", "new.person1"),  # UserAttributeSimilarityValidator
]


def test_the_four_django_validators_are_configured(settings):
    names = [v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert names == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(UserFactory(username="admin.person", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(("why", "weak"), WEAK, ids=[w[0] for w in WEAK])
def test_the_admin_refuses_a_weak_password_for_a_new_user(admin_client, settings, why, weak):
    response = admin_client.post(
        f"/{settings.ADMIN_URL}auth/user/add/",
        {"username": "new.person", "password1": weak, "password2": weak, "usable_password": "true"},
    )
    assert response.status_code == 200  # the form again, with the validator's error
    assert response.context["adminform"].form.errors.get("password2")
    assert not User.objects.filter(username="new.person").exists()


def test_the_admin_accepts_a_strong_password(admin_client, settings):
    response = admin_client.post(
        f"/{settings.ADMIN_URL}auth/user/add/",
        {
            "username": "new.person",
            "password1": STRONG,
            "password2": STRONG,
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="new.person").check_password(STRONG)


@pytest.mark.parametrize(("why", "weak"), WEAK[:3], ids=[w[0] for w in WEAK[:3]])
def test_the_admin_password_change_form_refuses_a_weak_password(admin_client, settings, why, weak):
    user = UserFactory(username="someone.else")
    response = admin_client.post(
        f"/{settings.ADMIN_URL}auth/user/{user.pk}/password/",
        {"password1": weak, "password2": weak, "usable_password": "true"},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)  # unchanged


@pytest.mark.parametrize(("why", "weak"), WEAK, ids=[w[0] for w in WEAK])
def test_createsuperuser_noinput_refuses_a_weak_password_from_the_environment(
    db, monkeypatch, why, weak
):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", weak)
    with pytest.raises(CommandError, match="DJANGO_SUPERUSER_PASSWORD is refused"):
        call_command(
            "createsuperuser",
            interactive=False,
            username="new.person",
            email="new.person@example.nhs.uk",
            verbosity=0,
        )
    assert not User.objects.filter(username="new.person").exists()


def test_createsuperuser_noinput_accepts_a_strong_password(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG)
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "new.person")
    call_command("createsuperuser", interactive=False, email="n@example.nhs.uk", verbosity=0)
    user = User.objects.get(username="new.person")
    assert user.is_superuser and user.check_password(STRONG)


def test_the_project_s_createsuperuser_is_the_one_manage_py_runs():
    from django.core.management import get_commands

    assert get_commands()["createsuperuser"] == "commissioning.passwords"
