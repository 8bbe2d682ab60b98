from django.urls import path

from . import views

app_name = "annual_reports"
urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("create/", views.report_create, name="report_create"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/identification/", views.report_identification, name="identification"),
    path("<int:pk>/chapters/<slug:code>/", views.chapter, name="chapter"),
    path("<int:pk>/answers/<slug:code>/", views.answer, name="answer"),
    path("<int:pk>/answers/<slug:code>/history/", views.answer_history, name="answer_history"),
    path("<int:pk>/sections/<slug:code>/not-applicable/", views.section_not_applicable,
         name="section_not_applicable"),
    path("<int:pk>/answers/<slug:code>/comments/", views.comment_add, name="comment_add"),
    path("<int:pk>/comments/<int:comment_pk>/resolve/", views.comment_resolve, name="comment_resolve"),
    path("<int:pk>/submit/", views.report_submit, name="submit"),
    path("<int:pk>/request-changes/", views.report_request_changes, name="request_changes"),
    path("<int:pk>/validate/", views.report_validate, name="validate"),
    path("<int:pk>/reopen/", views.report_reopen, name="reopen"),
    path("<int:pk>/send/", views.report_send, name="send"),
    path("<int:pk>/sent.pdf", views.sent_pdf_download, name="sent_pdf"),
    path("<int:pk>/assign/", views.chapter_assign, name="assign"),
    path("<int:pk>/annexes/", views.annex_upload, name="annex_upload"),
    path("<int:pk>/annexes/<int:annex_pk>/", views.annex_download, name="annex_download"),
    path("<int:pk>/annexes/<int:annex_pk>/delete/", views.annex_delete, name="annex_delete"),
    path("<int:pk>/exports/", views.export_request, name="export_request"),
    path("<int:pk>/exports/<int:export_pk>/", views.export_status, name="export_status"),
    path("<int:pk>/exports/<int:export_pk>/download/", views.export_download, name="export_download"),
]
