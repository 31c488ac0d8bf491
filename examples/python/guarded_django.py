"""A one-file Django course site whose views memberkit guards, with the template filters:
a course only for members with access to it, pricing only for those holding ``pricing``.

Run:  pip install "./bindings-python[django]" && python examples/python/guarded_django.py runserver
"""

from __future__ import annotations

import secrets
import sys

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY=secrets.token_hex(32),
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["127.0.0.1", "localhost", "testserver"],
    INSTALLED_APPS=["django.contrib.sessions", "memberkit.guards.django"],
    MIDDLEWARE=["django.contrib.sessions.middleware.SessionMiddleware"],
    SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
    TEMPLATES=[{
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        # The filters are given the request.
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }],
)
django.setup()

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect  # noqa: E402
from django.template import engines  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

import memberkit as mk  # noqa: E402
from memberkit.guards.django import Guard  # noqa: E402

from demo_seed import seed, sign_in_page  # noqa: E402

hub = mk.Hub.open(":memory:")
academy = seed(hub)
guard = Guard(hub, tenant=academy, member=lambda request: request.session.get("member"))

# The catalogue: each course links to its page only for those who may open it.
CATALOGUE = engines["django"].from_string(
    "{% load memberkit %}<ul>{% for p in products %}<li>{{ p.name }}"
    "{% if request|has_access:p.id %} <a href=\"/courses/{{ p.id }}\">open</a>{% endif %}</li>"
    "{% endfor %}</ul>{% if request|can:\"pricing\" %}<a href=\"/pricing\">pricing</a>{% endif %}"
)


@guard.require_access(lambda request: request.resolver_match.kwargs["course"])
def course(request: HttpRequest, course: str) -> HttpResponse:
    return HttpResponse(f"<h1>{academy.product(course).name}</h1>")


@guard.require_permission("pricing")
def pricing(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<h1>Pricing</h1>")


def catalogue(request: HttpRequest) -> HttpResponse:
    return HttpResponse(CATALOGUE.render({"products": academy.products()}, request))


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse(sign_in_page(academy))


@csrf_exempt  # the demo's sign-in; a real site has its own login
def login(request: HttpRequest) -> HttpResponse:
    request.session["member"] = request.POST["member"]
    return HttpResponseRedirect("/")


urlpatterns = [
    path("", home),
    path("login", login),
    path("catalogue", catalogue),
    path("courses/<str:course>", course),
    path("pricing", pricing),
]

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
