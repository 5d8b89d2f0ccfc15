from rest_framework.permissions import BasePermission


class IsStaff(BasePermission):
    """Staff only: listing every drawing and confirming labels are review work.

    Also the project-wide default, so a view is closed unless it opens up on purpose.
    """

    message = "staff only"

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.is_staff)
