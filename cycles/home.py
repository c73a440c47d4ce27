"""The cycles app's sections of the home page, registered with `web.home`."""


# --- Trainees and supervision (issue 9) ----------------------------------------------------------------------------

from accounts.permissions import Perm, has_permission, memberships_for  # noqa: E402
from web.home import home_section  # noqa: E402


@home_section(order=40)
def training_sections(request) -> list[dict]:
    """A trainee sees their progress; a supervisor how many trainees they have and cycles wait for sign-off."""
    from cycles.reads.progress import awaiting_sign_off, supervisors_trainees, trainee_progress, trainees

    user = request.user
    sections = []
    # The request has loaded the person's memberships already: only a trainee's home asks for progress.
    is_trainee = any(m.is_trainee for m in memberships_for(user))
    rows = trainee_progress(trainees().filter(user=user)) if is_trainee else []
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
