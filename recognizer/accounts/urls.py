"""/account/...: Django's auth views (the names and paths of django.contrib.auth.urls, under the "accounts"
namespace, with this site's templates) and the pages of a signed-in user.

The password change uses templates/accounts/, not registration/, so the admin's own "Change password"
page (which renders registration/password_change_form.html) keeps the admin's look.
"""
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from recognizer.accounts import views
from recognizer.accounts.selectors import DRAWING, NUMBER

app_name = "accounts"

urlpatterns = [
    path("signup/", views.sign_up, name="signup"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),  # POST only (Django 5)
    path(
        "password_change/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change_form.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    path(
        "password_reset/",
        auth_views.PasswordResetView.as_view(success_url=reverse_lazy("accounts:password_reset_done")),
        name="password_reset",
    ),
    path("password_reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("accounts:password_reset_complete")),
        name="password_reset_confirm",
    ),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("drawings/", views.drawings, name="drawings"),
    path("drawings/<uuid:pk>/delete/", views.answer_delete, {"kind": DRAWING}, name="drawing-delete"),
    path("numbers/<uuid:pk>/delete/", views.answer_delete, {"kind": NUMBER}, name="number-delete"),
    path("token/", views.api_token, name="token"),
]
