"""CSV import: a bad file is rejected whole, every problem listed by line, nothing written."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from departments.models import Account, Unit
from departments.services.csv_import import ImportRejected, csv_import

pytestmark = pytest.mark.django_db

UNITS_HEADER = "state,code,kind,name_en,name_hi,district,department\n"
ACCOUNTS_HEADER = "unit,platform,handle,platform_id,verified\n"


def counts():
    return Unit.objects.count(), Account.objects.count()


def rejected(data: bytes, user=None) -> list[tuple[int, str, str]]:
    before = counts()
    with pytest.raises(ImportRejected) as info:
        csv_import(data=data, user=user)
    assert counts() == before, "a rejected file must write nothing"
    return [(e.line, e.column, e.message) for e in info.value.errors]


def test_good_units_file_is_imported_and_a_second_run_changes_nothing(world):
    data = (
        UNITS_HEADER
        + "BR,BR-NALANDA,district,Nalanda,नालंदा,,\n"
        + 'BR,BR-NALANDA-HEALTH,district_office,"Health Department, Nalanda",'
        + '"स्वास्थ्य विभाग, नालंदा",BR-NALANDA,BR-HEALTH\n'
    ).encode()
    result = csv_import(data=data)
    assert (result.layout, result.created, result.updated) == ("units", 2, 0)
    office = Unit.objects.get(code="BR-NALANDA-HEALTH")
    assert office.district.code == "BR-NALANDA" and office.department == world.health_dept
    again = csv_import(data=data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_wrong_columns_are_named(world):
    errors = rejected(b"state,code,kind,name,district\nBR,BR-X,district,X,\n")
    assert len(errors) == 1
    line, _, message = errors[0]
    assert line == 1
    assert "missing column(s): name_en, name_hi, department" in message
    assert "unknown column(s): name" in message


def test_unknown_district_and_other_problems_are_all_listed_by_line(world):
    data = (
        UNITS_HEADER
        + "BR,BR-OK,district,Okay,ठीक,,\n"  # line 2 is fine, but the file is still rejected
        + "BR,BR-ATLANTIS-HEALTH,district_office,Health Atlantis,स्वास्थ्य अटलांटिस,BR-ATLANTIS,BR-HEALTH\n"  # 3
        + "XX,XX-ONE,district,One,एक,,\n"  # 4: unknown state
        + "BR,BR-TWO,planet,Two,दो,,\n"  # 5: unknown kind
        + "BR,BR-THREE,district,Three,Three,,\n"  # 6: Hindi name without Devanagari
        + "BR,BR-OK,district,Again,फिर,,\n"  # 7: duplicate code in the file
        + "BR,br bad,district,Bad,बुरा,,\n"  # 8: invalid code
        + "BR,BR-DAUSA-PR,district_office,PR,पीआर,RJ-DAUSA,\n"  # 9: district in another state
    ).encode()
    errors = rejected(data)
    by_line = {}
    for line, column, message in errors:
        by_line.setdefault(line, []).append((column, message))
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9]
    assert by_line[3] == [("district", "unknown district BR-ATLANTIS.")]
    assert by_line[4][0] == ("state", "unknown state XX.")
    assert by_line[5][0][0] == "kind"
    assert by_line[6] == [("name_hi", "the Hindi name has no Devanagari letters.")]
    assert by_line[7] == [("code", "BR-OK also appears on line 2.")]
    assert by_line[8][0][0] == "code"
    assert by_line[9] == [("district", "district RJ-DAUSA is in another state.")]


def test_duplicate_handle_in_file_and_in_database(world):
    data = (
        ACCOUNTS_HEADER
        + "BR-GAYA-HEALTH,x,@GayaHealth,,no\n"  # 2 fine
        + "BR-PATNA-HEALTH,x,https://x.com/gayahealth,,no\n"  # 3 same handle, other case, as a URL
        + "BR-GAYA,x,DmDausa,,yes\n"  # 4 handle already belongs to RJ-DAUSA
        + "BR-GAYA,facebook,ab,,maybe\n"  # 5 bad page name, bad boolean
        + "BR-NOWHERE,youtube,@channel,,no\n"  # 6 unknown unit
    ).encode()
    errors = rejected(data)
    messages = {(line, column): message for line, column, message in errors}
    assert messages[(3, "handle")] == "gayahealth also appears on line 2."
    assert "unknown unit BR-NOWHERE" in messages[(6, "unit")]
    assert "ab is not a Facebook page name" in messages[(5, "handle")]
    assert messages[(5, "verified")] == "maybe is not yes or no."
    # the database check runs once the rows themselves are clean
    errors = rejected((ACCOUNTS_HEADER + "BR-GAYA,x,DmDausa,,yes\n").encode())
    assert errors == [(2, "handle", "DmDausa is already the account of another unit (RJ-DAUSA).")]


def test_bad_encoding_is_reported_with_the_line(world):
    data = (UNITS_HEADER + "BR,BR-X,district,Okay,ठीक,,\n").encode() + "BR,BR-Y,district,Caf\xe9,x,,\n".encode("cp1252")
    errors = rejected(data)
    assert len(errors) == 1
    assert errors[0][0] == 3
    assert "not UTF-8" in errors[0][2] and "0xe9" in errors[0][2]


def test_utf16_file_is_rejected_not_garbled(world):
    errors = rejected((UNITS_HEADER + "BR,BR-X,district,X,एक्स,,\n").encode("utf-16"))
    assert "not UTF-8" in errors[0][2]


def test_excel_bom_is_accepted(world):
    result = csv_import(data=b"\xef\xbb\xbf" + (UNITS_HEADER + "BR,BR-BOM,district,Bom,बोम,,\n").encode())
    assert result.created == 1


def test_ragged_rows_and_empty_files(world):
    errors = rejected((UNITS_HEADER + "BR,BR-X,district\n").encode())
    assert errors == [(2, "", "3 fields where the header has 7.")]
    assert rejected(b"") == [(0, "", "the file is empty.")]
    assert rejected(UNITS_HEADER.encode()) == [(0, "", "the file has a header but no rows.")]


def test_state_officer_cannot_import_into_another_state(world):
    errors = rejected((UNITS_HEADER + "RJ,RJ-NEW,district,New,नया,,\n").encode(), user=world.pr_bihar)
    assert errors == [(2, "state", "RJ is outside your state.")]
    errors = rejected((ACCOUNTS_HEADER + "RJ-DAUSA,facebook,dm.dausa,,no\n").encode(), user=world.pr_bihar)
    assert errors == [(2, "unit", "RJ-DAUSA is outside your state.")]


def test_district_official_cannot_import(world):
    errors = rejected((UNITS_HEADER + "BR,BR-NEW,district,New,नया,,\n").encode(), user=world.dpro_patna)
    assert "only admins and state PR officers" in errors[0][2]


def test_upload_page_shows_every_error_and_writes_nothing(world, login):
    client = login(world.pr_bihar)
    data = (ACCOUNTS_HEADER + "BR-GAYA,x,DmDausa,,yes\n").encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = counts()
    response = client.post(reverse("departments:import"), {"file": SimpleUploadedFile("accounts.csv", data)})
    assert response.status_code == 200
    content = response.content.decode()
    assert "nothing was imported" in content
    assert "DmDausa is already the account of another unit (RJ-DAUSA)." in content
    assert counts() == before


def test_upload_page_imports_a_good_file(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(world.pr_bihar)
    data = (ACCOUNTS_HEADER + "BR-GAYA,facebook,https://www.facebook.com/dm.gaya/,,yes\n").encode()
    response = client.post(reverse("departments:import"), {"file": SimpleUploadedFile("a.csv", data)}, follow=True)
    assert "1 created" in response.content.decode()
    account = Account.objects.get(platform="facebook", unit=world.gaya)
    assert (account.handle, account.verified) == ("dm.gaya", True)


def test_import_command_rejects_a_bad_file_with_the_list(world, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(UNITS_HEADER + "BR,BR-Z,district_office,Z,ज़,BR-NOWHERE,\n", encoding="utf-8")
    with pytest.raises(CommandError) as info:
        call_command("import_csv", str(path))
    assert "nothing was imported" in str(info.value)
    assert "line 2, district: unknown district BR-NOWHERE." in str(info.value)
    assert not Unit.objects.filter(code="BR-Z").exists()
