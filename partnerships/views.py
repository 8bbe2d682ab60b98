from django.shortcuts import render

from psynet.views import network_view


@network_view("partnership.view")
def index(request):
    return render(request, "partnerships/index.html")
