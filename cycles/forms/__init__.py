"""Forms of a family's VIG work, one module per topic."""
