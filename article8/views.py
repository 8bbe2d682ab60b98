from django.shortcuts import render

from psynet.views import network_view


@network_view("article8.view")
def index(request):
    return render(request, "article8/index.html")
