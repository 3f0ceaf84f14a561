"""The model: what a fiche says, what a check measured and concluded, and the words for it.

Plain data and vocabulary only (fiche, results, findings, thresholds, words, rows):
it imports no other step of datapedia and touches no network, clock or file, so
every step above it can share it.
"""
