from django.shortcuts import render

from psynet.views import network_view


@network_view("billing.view")
def index(request):
    return render(request, "billing/index.html")
