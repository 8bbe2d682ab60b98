from django.shortcuts import render

from psynet.views import network_view


@network_view("report.view")
def report_list(request):
    return render(request, "annual_reports/report_list.html")
