"""The GitHub step: the PR report, the issue sync and CODEOWNERS.

``client`` is the one HTTP door to the GitHub API; the rest builds bodies from
stored results, with untrusted text neutralised, and returns what it did.
"""
