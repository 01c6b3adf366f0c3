"""A reply's life: checks before sending, risky dates, the outbox rules, sending
exactly once, and the promises a reply makes."""
