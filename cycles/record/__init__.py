"""The cycles app's sections of the family's record page, one module per section, each registered with
`referrals.record.record_section` when imported (the app's `ready()` imports this package):

- `consent`: consent at a glance (order 10) and the helping questions with their ratings (order 20);
- `timeline`: the VIG cycles' timeline (order 40);
- `visits`: planned and recent visits, and liaison with the referrer (order 50);
- `footage`: each filming's footage and its destruction (order 70).
"""

from cycles.record import consent, footage, timeline, visits

__all__ = ["consent", "footage", "timeline", "visits"]
