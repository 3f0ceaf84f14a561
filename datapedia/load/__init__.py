"""The load step: fiche files into validated ``Fiche`` objects, with file:line:col messages.

It reads the repository (fiches, the trusted secret map, the parse cache) and may
write only its own cache; it imports the model and util, never the network, the
judge or the site.
"""
