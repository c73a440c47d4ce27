"""Pages of a family's VIG work by topic: consent, helping questions, visits (and the diary), cycles,
supervision and footage."""
