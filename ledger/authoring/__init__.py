"""Authoring: reports written by analysts (``ledger record``) turned into events. Pure."""
