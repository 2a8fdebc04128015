"""Every Exotel rule the sandbox enforces, as functions over the store: one module per concern (who
is asking, devices, calls, contacts), beside the errors and request parameters they share.

Each function validates its input, checks the rule against stored state and writes the outcome inside
one transaction, or raises `SandboxError` with Exotel's HTTP status and error code. Sources: the
seeds in shared/seeds (000 devices, 001 integrations, 002 v3 calls, 003 contacts, 004 v2 calls) and
shared/exotel-contract.md.
"""
