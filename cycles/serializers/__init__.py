"""API input and output shapes of a family's VIG work, by topic (separate In and Out; the actions write)."""
