"""Audit tooling: prove integrity, replay past moments, trace answers to their sources."""
