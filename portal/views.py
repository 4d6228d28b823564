from django.shortcuts import render

from .permissions import role_of


def home(request):
    """The public start page; once signed in, the overview for the user's role."""
    role = role_of(request.user)
    if role is None:
        return render(request, "portal/home.html")
    return render(request, "portal/overview.html", {"role": role})
