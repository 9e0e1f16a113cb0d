"""CSV downloads, the same everywhere: UTF-8 with a byte-order mark, so Excel reads Hindi names."""

from __future__ import annotations

import csv

from django.http import HttpResponse


def csv_download(filename: str) -> tuple[HttpResponse, csv.writer]:
    """An attachment response named ``filename`` and a CSV writer into it, the BOM already written."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    return response, csv.writer(response)
