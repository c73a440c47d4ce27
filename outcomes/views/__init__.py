"""Outcome-measure pages by topic: `measures` (the family's outcomes, completing and correcting a measure) and
`export` (the evaluation export)."""
