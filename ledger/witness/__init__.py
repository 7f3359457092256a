"""A witness: an independent party that checks the log only ever grows and cosigns it."""
