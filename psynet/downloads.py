"""Private files (report annexes and PDFs, signed agreements, statements, import reports, applicants' documents)
are served only through views that have checked the user's network and role, or the applicant's private link,
and only by this helper: never kept by a shared cache, never type-sniffed, 404 when missing from storage."""
from django.http import FileResponse, Http404


def private_file(field, *, filename, content_type=None, inline=False):
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=not inline, filename=filename,
                            content_type=content_type or "application/octet-stream")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
