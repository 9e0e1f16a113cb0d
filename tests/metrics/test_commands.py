"""poll_accounts and rotate_credentials_key."""

import io
import json

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from core import crypto
from departments.models import Account
from metrics.models import PollRun, Snapshot

pytestmark = pytest.mark.django_db


def test_poll_accounts_polls_now_and_reports(world, settings):
    settings.GOVSOCIAL_SIMULATED_FAULTS = False
    out, err = io.StringIO(), io.StringIO()
    call_command("poll_accounts", "--platform", "x", "--state", "BR", stdout=out, stderr=err)
    run = PollRun.objects.get()
    assert (run.platform, run.trigger, run.accounts_total) == ("x", "command", 3)
    assert Snapshot.objects.count() == 3
    assert "x: run" in out.getvalue() and "3/3 accounts, 3 snapshots" in out.getvalue()
    assert "acct" in err.getvalue()  # the progress bar


def test_poll_accounts_for_one_account(world, settings):
    settings.GOVSOCIAL_SIMULATED_FAULTS = False
    call_command(
        "poll_accounts", "--account", str(world.dausa_x.pk), "--platform", "x", "--no-progress", stdout=io.StringIO()
    )
    assert list(Snapshot.objects.values_list("account", flat=True)) == [world.dausa_x.pk]


def test_poll_accounts_rejects_an_unknown_account(world):
    with pytest.raises(CommandError, match="No account with id 999999"):
        call_command("poll_accounts", "--account", "999999")


def test_rotate_credentials_key_re_encrypts_with_the_newest_key(world, settings):
    old = settings.GOVSOCIAL_CREDENTIALS_KEYS[0]
    world.patna_x.credentials = {"access_token": "tok-1"}
    world.patna_x.save()
    new = Fernet.generate_key().decode()
    settings.GOVSOCIAL_CREDENTIALS_KEYS = [new, old]
    crypto.reset_keys()
    out = io.StringIO()
    call_command("rotate_credentials_key", stdout=out)
    assert "1 account(s)" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM departments_account WHERE id = %s", [world.patna_x.pk])
        token = cursor.fetchone()[0]
    assert json.loads(Fernet(new.encode()).decrypt(token.encode())) == {"access_token": "tok-1"}
    settings.GOVSOCIAL_CREDENTIALS_KEYS = [new]  # the old key can now be dropped
    crypto.reset_keys()
    assert Account.objects.get(pk=world.patna_x.pk).credentials == {"access_token": "tok-1"}
