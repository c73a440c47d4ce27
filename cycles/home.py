"""The cycles app's sections of the home page, registered with `web.home`."""


# --- Trainees and supervision (issue 9) ----------------------------------------------------------------------------

from accounts.permissions import Perm, has_permission  # noqa: E402
from web.home import home_section  # noqa: E402


@home_section(order=40)
def training_sections(request) -> list[dict]:
    """A trainee sees their progress; a supervisor how many trainees they have and cycles wait for sign-off."""
    from cycles.reads.progress import awaiting_sign_off, supervisors_trainees, trainee_progress, trainees

    user = request.user
    sections = []
    rows = trainee_progress(trainees().filter(user=user))
    if rows:
        sections.append({"template": "cycles/home_training.html", "rows": rows})
    if has_permission(user, Perm.SUPERVISION_RECORD):
        sections.append(
            {
                "template": "cycles/home_supervision.html",
                "trainees": supervisors_trainees(user).count(),
                "waiting": awaiting_sign_off(user).count(),
            }
        )
    return sections
