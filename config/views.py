from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from alumni.selectors import administered_institutions


@login_required
def home(request):
    return render(request, "home.html", {"institutions": administered_institutions(request.user)})
