"""The account pages. Thin: each reads through accounts/selectors.py, writes through the services, renders.

Signing up, in and out and resetting a password are Django's own views (urls.py); these are the pages
of a signed-in user: their drawings and numbers (with delete), and their API token.
"""
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _, gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from recognizer import number_services, services
from recognizer.accounts import display, selectors
from recognizer.accounts import services as account_services
from recognizer.accounts.forms import SignUpForm, TokenForm

PER_PAGE = 20
GET_OR_POST = ["GET", "HEAD", "POST"]


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(GET_OR_POST)
def sign_up(request):
    """Django's UserCreationForm (plus an email address); signed in at once, then where `next` says."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignUpForm(request.POST) if request.method == "POST" else SignUpForm()
    if form.is_valid():
        login(request, form.save())
        return redirect(_next_url(request))
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


@login_required
@require_safe
def drawings(request):
    """The user's drawings and numbers from every device, newest first, a page at a time."""
    page = Paginator(selectors.own_answers(user=request.user), PER_PAGE).get_page(request.GET.get("page"))
    rows = [display.row(entry) for entry in selectors.own_entries(page.object_list)]
    return render(request, "accounts/drawings.html", {"page": page, "rows": rows})


@dataclass(frozen=True)
class Deletable:
    """What differs between deleting a drawing and a number. The messages are msgids (`gettext_noop` marks
    them for makemessages): `answer_delete` translates them when it runs, in the request's language."""

    own_get: Callable  # (user, pk) -> the user's own drawing or number with that id, or None
    delete: Callable  # (drawing or number) -> None, through the services
    not_found: str
    deleted: str


DELETABLE = {
    selectors.DRAWING: Deletable(
        own_get=lambda user, pk: selectors.own_drawing_get(user=user, drawing_id=pk),
        delete=lambda drawing: services.drawing_delete(drawing=drawing),
        not_found=gettext_noop("You have no drawing with this id."),
        deleted=gettext_noop("The drawing was deleted."),
    ),
    selectors.NUMBER: Deletable(  # a number goes with its digits
        own_get=lambda user, pk: selectors.own_number_get(user=user, number_id=pk),
        delete=lambda number: number_services.number_delete(number=number),
        not_found=gettext_noop("You have no number with this id."),
        deleted=gettext_noop("The number was deleted."),
    ),
}


@login_required
@require_http_methods(GET_OR_POST)
def answer_delete(request, pk, kind):
    """GET asks to confirm; POST (with Django's CSRF check) deletes. Only one's own: 404 otherwise.
    `kind` (urls.py) says whether `pk` is a drawing's or a number's."""
    deletable = DELETABLE[kind]
    answer = deletable.own_get(request.user, pk)
    if answer is None:
        raise Http404(_(deletable.not_found))
    if request.method == "POST":
        deletable.delete(answer)
        messages.success(request, _(deletable.deleted))
        return _back_to_list(request)
    return _confirm(request, display.row(selectors.Entry(kind, answer)))


@never_cache
@login_required
@require_http_methods(GET_OR_POST)
def api_token(request):
    """Create (or replace) and revoke one's own API token. A new key is shown once, in the answer to the
    POST that made it (never stored in the session, never cached); the page afterwards shows only its date."""
    form = TokenForm(request.POST) if request.method == "POST" else TokenForm()
    new_key, status = None, 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        elif form.cleaned_data["action"] == TokenForm.CREATE:
            new_key = account_services.api_token_create(user=request.user).key
        else:
            account_services.api_token_revoke(user=request.user)
            messages.success(request, _("Your API token was revoked: it no longer works."))
            return redirect("accounts:token")
    context = {
        "form": form,
        "token": selectors.api_token_get(user=request.user),
        "new_key": new_key,
        "api_root": request.build_absolute_uri(reverse("recognizer:prediction-list")),
    }
    return render(request, "accounts/token.html", context, status=status)


def _confirm(request, row: display.Row):
    return render(request, "accounts/delete_confirm.html", {"row": row, "page_number": _page_number(request)})


def _back_to_list(request):
    """To the page of the list the user deleted from (the paginator clamps one that is now past the end)."""
    return redirect(f"{reverse('accounts:drawings')}?page={_page_number(request)}")


def _page_number(request) -> int:
    value = request.POST.get("page") or request.GET.get("page") or ""
    return int(value) if value.isascii() and value.isdigit() and 0 < int(value) < 10**6 else 1


def _next_url(request) -> str:
    """`next` if it is a URL on this site, as Django's LoginView checks it; else LOGIN_REDIRECT_URL."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL
