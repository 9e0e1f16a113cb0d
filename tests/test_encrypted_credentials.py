"""Credentials are encrypted at rest with their own keys and never shown."""

import io
import json
import logging

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from core import crypto
from departments.models import Account

pytestmark = pytest.mark.django_db

TOKEN = "EAAG-secret-page-token-1234567890"


def raw_column(account: Account) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM departments_account WHERE id = %s", [account.pk])
        return cursor.fetchone()[0]


def test_column_holds_ciphertext_and_model_gets_the_dict_back(world):
    world.patna_x.credentials = {"access_token": TOKEN}
    world.patna_x.save()
    stored = raw_column(world.patna_x)
    assert TOKEN not in stored
    assert json.loads(crypto.decrypt(stored)) == {"access_token": TOKEN}
    assert Account.objects.get(pk=world.patna_x.pk).credentials == {"access_token": TOKEN}


def test_repr_logs_and_dumps_never_show_the_secret(world, caplog):
    world.patna_x.credentials = {"access_token": TOKEN}
    world.patna_x.save()
    account = Account.objects.get(pk=world.patna_x.pk)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("govsocial.test").info(
            "account %r creds %s %r", account, account.credentials, account.credentials
        )
    assert TOKEN not in caplog.text
    assert TOKEN not in repr(account) and TOKEN not in str(account.credentials)
    out = io.StringIO()
    call_command("dumpdata", "departments.account", stdout=out)
    assert TOKEN not in out.getvalue()
    dumped = {row["pk"]: row["fields"]["credentials"] for row in json.loads(out.getvalue())}
    # the dump carries ciphertext that the keys turn back into the secret
    assert json.loads(crypto.decrypt(dumped[account.pk])) == {"access_token": TOKEN}


def test_settings_key_is_not_secret_key(world, settings):
    world.patna_x.credentials = {"access_token": TOKEN}
    world.patna_x.save()
    settings.SECRET_KEY = "a-completely-different-secret-key-" + "x" * 40
    assert Account.objects.get(pk=world.patna_x.pk).credentials["access_token"] == TOKEN


def test_rotation_old_key_still_reads_after_a_new_key_is_prepended(world, settings):
    world.patna_x.credentials = {"access_token": TOKEN}
    world.patna_x.save()
    old_key = settings.GOVSOCIAL_CREDENTIALS_KEYS[0]
    settings.GOVSOCIAL_CREDENTIALS_KEYS = [Fernet.generate_key().decode(), old_key]
    crypto.reset_keys()
    assert Account.objects.get(pk=world.patna_x.pk).credentials["access_token"] == TOKEN


def test_unknown_key_fails_loudly(world, settings):
    world.patna_x.credentials = {"access_token": TOKEN}
    world.patna_x.save()
    settings.GOVSOCIAL_CREDENTIALS_KEYS = [Fernet.generate_key().decode()]
    crypto.reset_keys()
    with pytest.raises(ValidationError, match="cannot be decrypted"):
        Account.objects.get(pk=world.patna_x.pk)


def test_admin_form_never_renders_the_secret(world, login):
    world.patna_x.credentials = {"access_token": TOKEN}
    world.patna_x.save()
    content = login(world.admin).get(f"/admin/departments/account/{world.patna_x.pk}/change/").content.decode()
    assert TOKEN not in content
    assert raw_column(world.patna_x) not in content


def test_admin_can_replace_credentials(world, login):
    client = login(world.admin)
    response = client.post(
        f"/admin/departments/account/{world.gaya_x.pk}/change/",
        {
            "unit": world.gaya.pk,
            "platform": "x",
            "handle": "DMGaya",
            "platform_id": "",
            "display_name": "",
            "status": "active",
            "status_reason": "",
            "new_credentials": json.dumps({"access_token": TOKEN}),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Account.objects.get(pk=world.gaya_x.pk).credentials == {"access_token": TOKEN}
