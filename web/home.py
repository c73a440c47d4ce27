"""The home page's sections, contributed by each app through this small registry.

`vig_service` knows no app: an app registers a function in its `AppConfig.ready()` (by importing its `home`
module), and the home page calls them in order. A function takes the request and returns a list of sections, each
a dict with the `template` to include and what it shows; an empty list when the user has nothing there.
"""

from collections.abc import Callable

HomeSections = Callable[[object], list[dict]]
_registry: list[tuple[int, str, HomeSections]] = []


def home_section(order: int):
    """Register a function that contributes sections; lower `order` comes first (notices first, say)."""

    def register(func: HomeSections) -> HomeSections:
        name = f"{func.__module__}.{func.__qualname__}"
        if all(existing != name for _, existing, _ in _registry):
            _registry.append((order, name, func))
            _registry.sort(key=lambda item: (item[0], item[1]))
        return func

    return register


def sections_for(request) -> list[dict]:
    """Every registered app's sections for this person, in order."""
    sections: list[dict] = []
    for _, _, func in _registry:
        sections.extend(func(request))
    return sections
