"""Page forms of the cycles app, one module per topic (`cycles.forms.consent`, ...)."""
