"""Notice API: a person's notices, and acknowledging one."""
