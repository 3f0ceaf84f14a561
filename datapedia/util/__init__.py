"""Small helpers every step may use: atomic files, a map over worker processes, watching.

Nothing here knows about fiches or datasets.
"""
