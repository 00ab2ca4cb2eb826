"""Policy-as-code: one rule set (`policies.rules`) run by CrossGuard (`__main__.py`) and by
`modelplane check` (`policies.check`)."""
