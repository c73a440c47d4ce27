"""Page forms of the cycles app, one module per topic (`cycles.forms.supervision`, `cycles.forms.footage`)."""
