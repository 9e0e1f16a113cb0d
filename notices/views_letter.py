"""The notice's letter: a printable page and a PDF, for whoever may see the notice."""

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from notices.letter import letter_context, letter_filename, letter_pdf
from notices.views import notice_in_scope

logger = logging.getLogger(__name__)


def letter_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter on its own page (no navigation), A4 when printed, with a Print button hidden in print."""
    notice = notice_in_scope(request, pk)
    context = {
        **letter_context(notice),
        "pdf_url": reverse("notices:letter_pdf", kwargs={"pk": pk}),
        "back_url": notice.get_absolute_url(),
    }
    return render(request, "notices/letter.html", context)


def letter_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter as a PDF, shown inline (the browser's viewer prints or saves it)."""
    notice = notice_in_scope(request, pk)
    try:
        pdf = letter_pdf(notice)
    except OSError:  # WeasyPrint could not load Pango: say so, and offer the printable page
        logger.exception("The PDF of notice %s could not be made", notice.number)
        message = _(
            "The PDF cannot be made on this server: its PDF library needs Pango (apt-get install libpango-1.0-0 "
            "libpangoft2-1.0-0). The printable letter works, and the browser can save it as PDF."
        )
        return render(
            request,
            "notices/letter_unavailable.html",
            {"notice": notice, "message": message, "letter_url": reverse("notices:letter", kwargs={"pk": pk})},
            status=503,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, letter_filename(notice))
    return response
