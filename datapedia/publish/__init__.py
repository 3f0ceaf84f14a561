"""The publish step: the site, pictures and machine-readable files from what was stored.

It shows the stored diagnoses and never probes, judges again or touches the
network; fiche and server text reaches a page only through its escaping.
"""
