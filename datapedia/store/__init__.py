"""The store step: ``checks/`` on disk, the results and history of every run.

Writers commit through a staging folder; readers never write or recover, so the
site, reports and issue sync work on a read-only checkout. ``nightly`` merges the
shards of one night.
"""
