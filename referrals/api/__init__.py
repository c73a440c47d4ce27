"""Referral API views by topic: `referrals`, `triage`, `allocation` and `caseloads`; routes in `api_urls`."""
