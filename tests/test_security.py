"""
Accounts and headers, tried as an attacker and an operator would: a password
guessed at, a stolen session left open, a production start with a weak key,
and the headers each kind of page sends.
"""

import json
import os
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from exchanges.models import Agreement

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
LOGIN = "/admin/login/?next=/admin/"


def production(**extra):
    """The environment of a production start: DEBUG off, the secrets given."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "news.example.org",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
    }
    env.pop("DATABASE_URL", None)
    env.update(extra)
    return env


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def staff(django_user_model, username, role=None, **fields):
    user = django_user_model.objects.create_user(
        username, password="correct horse battery", is_staff=True, **fields
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def log_in(client, username, password="correct horse battery", **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def current_code(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


# Login throttling ------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_out_even_for_the_right_one(django_user_model):
    staff(django_user_model, "editor", "Editor")
    client = Client()
    for _attempt in range(4):
        response = log_in(client, "editor", "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.text
    assert log_in(client, "editor", "wrong").status_code == 429  # the fifth locks it
    locked = log_in(client, "editor")
    assert locked.status_code == 429
    assert "locked" in locked.text.lower()
    assert "_auth_user_id" not in client.session
    attempt = AccessAttempt.objects.get(username="editor")
    assert attempt.failures_since_start >= 5
    # Another account from the same address is not locked out with it.
    staff(django_user_model, "reporter", "Reporter")
    assert log_in(client, "reporter").status_code == 302
    # After the cool-off the right password works again.
    call_command("axes_reset")
    assert log_in(Client(), "editor").status_code == 302


def test_behind_a_proxy_the_lockout_counts_the_client_not_the_proxy(django_user_model, settings):
    settings.EXCHANGES_PROXY_COUNT = 1
    staff(django_user_model, "editor", "Editor")
    attacker = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    for _attempt in range(5):
        log_in(attacker, "editor", "wrong")
    assert log_in(attacker, "editor").status_code == 429
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"
    # The editor, through the same proxy from elsewhere, is not locked out.
    editor = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert log_in(editor, "editor").status_code == 302
    # A client cannot pick its own address: only the proxy's entry counts.
    spoofed = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9")
    assert log_in(spoofed, "editor").status_code == 429


# Second factor ---------------------------------------------------------------------


def test_editors_need_a_second_factor(django_user_model, settings):
    settings.ADMIN_SECOND_FACTOR = True
    # A wrong code holds the device back a second (twice as long after the next, and
    # so on): a minute here, so a slow run cannot outwait it between two requests.
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    editor = staff(django_user_model, "editor", "Editor")
    client = Client()
    refused = log_in(client, "editor")
    assert refused.status_code == 200
    assert "needs an authenticator app as a second factor" in refused.text
    assert "add_authenticator editor" in refused.text
    assert "_auth_user_id" not in client.session

    call_command("add_authenticator", "editor", stdout=StringIO())
    device = TOTPDevice.objects.get(user=editor)
    asked = log_in(client, "editor")
    assert asked.status_code == 200
    assert "Enter the six-digit code from your authenticator app." in asked.text
    assert 'name="otp_token"' in asked.text
    wrong = log_in(
        client, "editor", otp_token="000000" if current_code(device) != "000000" else "1"
    )
    assert "That code is not right" in wrong.text
    assert "Verification temporarily disabled" in log_in(client, "editor", otp_token="1").text
    device.refresh_from_db()
    device.throttle_reset()
    assert log_in(client, "editor", otp_token=current_code(device)).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_session_without_the_second_factor_is_not_let_in(django_user_model, settings):
    settings.ADMIN_SECOND_FACTOR = True
    client = Client()
    client.force_login(staff(django_user_model, "editor", "Editor"))
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    # A reporter, who cannot publish, signs in with a password alone.
    staff(django_user_model, "reporter", "Reporter")
    reporter = Client()
    assert log_in(reporter, "reporter").status_code == 302
    assert reporter.get("/admin/").status_code == 200


def test_add_authenticator_prints_the_link_and_refuses_to_replace_silently(django_user_model):
    staff(django_user_model, "editor", "Editor")
    printed = StringIO()
    call_command("add_authenticator", "editor", stdout=printed)
    assert "otpauth://totp/" in printed.getvalue()
    with pytest.raises(Exception, match="already has an authenticator"):
        call_command("add_authenticator", "editor", stdout=StringIO())
    call_command("add_authenticator", "editor", "--replace", stdout=StringIO())
    assert TOTPDevice.objects.filter(user__username="editor").count() == 1


# Sessions --------------------------------------------------------------------------


def test_staff_sessions_expire_after_eight_idle_hours_and_with_the_browser(django_user_model):
    staff(django_user_model, "reporter", "Reporter")
    client = Client()
    response = log_in(client, "reporter")
    cookie = response.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""  # gone with the browser
    assert client.session.get_expiry_age() == 8 * 60 * 60
    before = client.session.get_expiry_date()
    client.get("/admin/")
    assert client.session.get_expiry_date() > before  # idle time counts from the last request


# Production settings ---------------------------------------------------------------


def test_check_deploy_gives_no_warnings_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "key",
    ["", "short", "django-insecure-" + "x" * 60, "a" * 64],
    ids=["missing", "short", "django-default", "one-character"],
)
def test_production_refuses_a_weak_secret_key(key):
    result = manage("check", env=production(SECRET_KEY=key))
    assert result.returncode != 0
    assert "Set SECRET_KEY to a long random value" in result.stderr


def test_the_admin_address_is_configurable():
    code = "from django.urls import reverse; print(reverse('admin:index'))"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=production(ADMIN_URL="desk-7f3a"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "/desk-7f3a/", result.stderr


def test_errors_are_logged_as_json_on_stderr():
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('django.request').error('Internal Server Error: /x/', "
        "exc_info=ZeroDivisionError('boom'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["level"] == "ERROR" and line["logger"] == "django.request"
    assert line["message"] == "Internal Server Error: /x/"
    assert "ZeroDivisionError: boom" in line["exc_info"]


# Headers per kind of page ----------------------------------------------------------


@pytest.fixture
def https(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^health/$"]


def test_headers_of_each_kind_of_page(seed, admin_client, partner_key, https):
    agreement = Agreement.objects.get(slug="istanbul-2")
    pages = {
        "admin": (admin_client, reverse("admin:exchanges_agreement_change", args=[agreement.pk])),
        "page": (Client(), "/articles/pow-exchanges-istanbul-2/"),
        "embed": (Client(), "/embed/totals/"),
        "api": (Client(HTTP_AUTHORIZATION=f"Api-Key {partner_key}"), "/api/v1/exchanges/"),
        "feed": (Client(HTTP_AUTHORIZATION=f"Api-Key {partner_key}"), "/feeds/exchanges.atom"),
        "docs": (Client(), "/api/v1/docs/"),
    }
    for kind, (client, address) in pages.items():
        response = client.get(address, HTTP_X_FORWARDED_PROTO="https")
        assert response.status_code == 200, (kind, response.status_code)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline' 'self'" not in policy, kind
        assert "unsafe-eval" not in policy, kind
        assert response["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        ), kind
        assert response["X-Content-Type-Options"] == "nosniff", kind
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin", kind
        if kind == "embed":
            # Framable by any site, and nothing else is.
            assert "frame-ancestors *" in policy
            assert "X-Frame-Options" not in response
        else:
            assert "frame-ancestors 'none'" in policy, kind
            assert response["X-Frame-Options"] == "DENY", kind
    # Plain HTTP is redirected; the load balancer's probe is not.
    assert Client().get("/embed/totals/").status_code == 301
    assert Client().get("/health/").status_code == 200


# In a real browser: the policy blocks nothing the site itself needs -------------------


@pytest.fixture
def signed_in_browser(browser, live_server, transactional_db, django_user_model):
    from exchanges.seed import load_seed

    load_seed()
    staff(django_user_model, "chief", is_superuser=True)
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}{LOGIN}")
    page.fill("#id_username", "chief")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    yield live_server, page
    context.close()


def test_no_page_breaks_its_own_policy(signed_in_browser):
    server, page = signed_in_browser
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    agreement = Agreement.objects.get(slug="istanbul-2")
    for address in [
        "/admin/",
        reverse("admin:exchanges_agreement_change", args=[agreement.pk]),
        reverse("admin:exchanges_exchange_changelist"),
        reverse("admin:exchanges_tally_add"),
        "/articles/pow-exchanges-istanbul-2/",
        "/embed/totals/",
        "/api/v1/docs/",
    ]:
        page.goto(f"{server.url}{address}")
        page.wait_for_load_state("networkidle")
    assert violations == []
    # The Swagger UI really drew itself, from its own script.
    assert page.locator(".swagger-ui .info .title").count() == 1
