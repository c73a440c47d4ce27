"""Sections other apps add to a cycle's page (the film vault's film and clips), as `referrals.record` does for the
family's record: `cycles` knows none of them. A function registered with `cycle_section` takes the request, the
cycle and its step (`reads.timeline.step_of`) and returns a list of dicts with the `template` to include."""

from collections.abc import Callable

_registry: list[tuple[str, Callable]] = []


def cycle_section(func: Callable) -> Callable:
    """Register a function that contributes sections to a cycle's page, after its filming."""
    name = f"{func.__module__}.{func.__qualname__}"
    if all(existing != name for existing, _ in _registry):
        _registry.append((name, func))
    return func


def cycle_sections(request, cycle, step) -> list[dict]:
    """Every registered app's sections of this cycle's page."""
    found: list[dict] = []
    for _, func in _registry:
        found.extend(func(request, cycle, step))
    return found


_destruction_checks: list[tuple[str, Callable]] = []


def footage_destruction_check(func: Callable) -> Callable:
    """Register a function `func(footage) -> str` saying why footage may not be confirmed destroyed by hand ('' if
    it may): the film vault refuses while it still holds the film, which must be destroyed there."""
    name = f"{func.__module__}.{func.__qualname__}"
    if all(existing != name for existing, _ in _destruction_checks):
        _destruction_checks.append((name, func))
    return func


def footage_destruction_refusal(footage) -> str:
    """The first registered reason not to confirm this footage destroyed by hand, or ''."""
    for _, func in _destruction_checks:
        reason = func(footage)
        if reason:
            return reason
    return ""
