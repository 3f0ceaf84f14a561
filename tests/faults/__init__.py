"""Fault injection: hostile feeds, hostile fiches and interrupted checks (issue 7)."""
