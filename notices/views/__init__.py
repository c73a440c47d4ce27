"""Notice pages: a person's notices, and acknowledging one with the action taken."""
