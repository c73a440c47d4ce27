"""The one exception every app's actions raise when a precondition fails (a state, an order rule, a scope).

Its message is safe to show to the user. Pages show it above the form with HTTP 409 and the API answers 409
(`web.pages.form_action_page`, `web.api.run_action`), so each new app gets both for free by raising
it or a subclass (`referrals.states.TransitionRefused`). It imports nothing, so `accounts` can use it too.
"""


class ActionRefused(Exception):
    """A precondition of an action failed; the message says why, in words the user can act on."""
