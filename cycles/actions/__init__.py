"""Every write to a family's VIG work, by topic. Keyword-only, the acting user passed in, one transaction, and one
call to `referrals.history.record_change` for the family's history and the access log.

Callers import from here (`actions.record_consent`). Each topic module re-exports its public actions below.
"""
