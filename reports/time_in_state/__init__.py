"""Time in state: how long agents were available (on which device), on calls, off or not found in
Exotel, per agent, team and day, from the intervals agents.audit records as states change."""
