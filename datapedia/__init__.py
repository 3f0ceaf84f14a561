"""Datapedia Vlaanderen: one fiche per dataset, probed, judged and published.

The packages are the steps of the data flow, each importing only the ones below it:
``cli`` > ``github`` / ``publish`` > ``pipeline`` > ``store`` > ``judge`` > ``probe``
> ``load`` > ``model`` > ``util`` (checked by the import-linter contracts in
pyproject.toml).
"""
