"""English and Hindi: a complete, compiled catalogue and Hindi names in Hindi pages."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/hi/LC_MESSAGES/django.po"
MO = ROOT / "locale/hi/LC_MESSAGES/django.mo"


def test_hindi_catalogue_is_complete_and_not_fuzzy():
    catalogue = polib.pofile(str(PO))
    assert catalogue.percent_translated() == 100, [e.msgid for e in catalogue.untranslated_entries()]
    assert not catalogue.fuzzy_entries()


def test_compiled_catalogue_matches_the_source():
    source = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in polib.pofile(str(PO))}
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in polib.mofile(str(MO))}
    compiled.pop((None, ""), None)  # the header
    assert compiled == source, "run `make messages` (compilemessages) after editing the .po"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (apt-get install gettext)")
def test_every_ui_string_in_the_code_is_in_the_catalogue(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".venv", ".git", "var", "staticfiles", "static", "node_modules", "__pycache__"),
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "hi", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    fresh = {e.msgid for e in polib.pofile(str(copy / "locale/hi/LC_MESSAGES/django.po"))}
    committed = {e.msgid for e in polib.pofile(str(PO)) if e.translated()}
    assert fresh - committed == set(), "new UI strings: run `make messages` and translate them"


@pytest.mark.django_db
def test_hindi_ui_shows_hindi_names_and_labels(world, login):
    client = login(world.pr_bihar)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "hi"
    content = client.get(reverse("departments:directory"), {"kind": "district"}).content.decode()
    assert '<html lang="hi">' in content
    assert "पटना" in content and "गया" in content
    assert polib.pofile(str(PO)).find("Directory of units").msgstr in content


@pytest.mark.django_db
def test_language_switch_sets_the_cookie_and_returns(world, login):
    client = login(world.pr_bihar)
    response = client.post(reverse("set_language"), {"language": "hi", "next": "/directory/"})
    assert response.status_code == 302 and response["Location"] == "/directory/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "hi"
    assert "बिहार" in client.get("/").content.decode()
