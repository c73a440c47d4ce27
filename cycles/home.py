"""The cycles app's sections of the home page, registered with `vig_service.home`."""
