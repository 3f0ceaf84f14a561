"""``datapedia new``: a commented fiche for a data owner to fill in.

The template is valid as written (``status: ontbrekend`` needs no distribution), so
``datapedia validate`` passes at once and the owner can fix one field at a time.
Every value to change is marked ``VERVANG``.
"""

from __future__ import annotations

import re
from pathlib import Path

from datapedia.load.one_file import SCHEMA_COMMENT_PREFIX, SCHEMA_RELATIVE
from datapedia.model.fiche import ID_PATTERN, Theme

_TEMPLATE = """\
{schema_comment}
# Fiche voor Datapedia Vlaanderen: één dataset per bestand.
# Vervang elke waarde met VERVANG en haal de # weg voor de velden die u invult.
# Controleer met: datapedia validate {path}

# Unieke id: kleine letters, cijfers en koppeltekens; gelijk aan de bestandsnaam.
id: {fiche_id}
# Korte titel zoals op de website (dct:title).
title: "VERVANG: titel van de dataset"
# Wat de data bevat, voor wie ze nuttig is, en hoe vaak ze wordt bijgewerkt (Markdown, geen HTML).
description: >-
  VERVANG: beschrijving van de dataset.
# water of mobiliteit; gelijk aan de map waarin dit bestand staat.
theme: {theme}
# Trefwoorden om de dataset te vinden (dcat:keyword).
keywords: []
# beschikbaar, gedeeltelijk of ontbrekend. Zet 'beschikbaar' zodra er een distributie is.
status: ontbrekend

# Wie verantwoordelijk is voor de dataset (dct:publisher).
owner:
  name: "VERVANG: naam van de organisatie"
  # uri: https://... (de organisatie in het KBO- of OVO-register)
  contact:
    # Een adres dat gelezen wordt: hier komen vragen en meldingen over kapotte feeds.
    email: vervang-mij@voorbeeld.be
  # GitHub-gebruiker of -team dat wijzigingen aan deze fiche nakijkt, bv. @organisatie/team.
  # github: "@organisatie/team"

# Wie de data feitelijk inzamelt of beheert, als dat niet de eigenaar is.
# holder:
#   name: naam van de organisatie
#   role: exploitant van de meetpunten

# De licentie (dct:license); leeg betekent: onbekend.
# licence:
#   uri: https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0
#   name: Modellicentie Gratis Hergebruik v1.0

# landing_page: https://...   (de pagina van de dataset)
# documentation: https://...  (uitleg over de data)
# Het eigen metadatarecord van de eigenaar (Vlaamse datacatalogus, DOV), als dat bestaat:
# catalogue_record: https://...
# Hoe vaak de data wordt bijgewerkt, als ISO 8601-duur: PT15M, PT1H, P1D, P1M.
# update_frequency: P1D

# Het gebied: [west, zuid, oost, noord] in WGS84-graden.
# spatial:
#   name: Vlaanderen
#   bbox: [2.5, 50.6, 5.95, 51.55]

# Hoeveel meetpunten er zouden moeten melden (voor de dekkingsgraad).
# expected_units:
#   count: 100
#   kind: stations   # stations, segmenten, filters, tellers of records

# Standaarden waaraan de data voldoet (OSLO, DCAT-AP Vlaanderen, INSPIRE, ...).
standards: []
# Privacy-aandachtspunten (camera's, wifi-tellingen, ...).
# privacy: ...
# Gekende problemen, één per regel.
problems: []
# Wat de dataset tegenhoudt: soort (politiek, privacy, technisch, organisatorisch,
# kwaliteit), ernst (rood, oranje, groen) en een toelichting.
blockers: []
#   - kind: organisatorisch
#     level: oranje
#     note: wat het probleem is
# Prioritaire partners: wie moet handelen om de blokkades op te lossen.
partners: []
#   - name: naam van de organisatie
#     role: wat zij moet doen
# Ids van verwante fiches.
related: []

# Waar de data staat: elk eindpunt wordt elke nacht gemeten. Nodig zodra de status
# 'beschikbaar' of 'gedeeltelijk' is. Protocollen: kiwis, wfs, dov-xml, opendatasoft,
# telraam, brussels-mobility, csv, json, html.
distributions: []
#   - title: Download als CSV
#     protocol: csv
#     url: https://...
#     format: text/csv
#     download: true
#     # Een sleutel staat NOOIT in de fiche: enkel de naam van de omgevingsvariabele.
#     # auth:
#     #   kind: api-key
#     #   env: NAAM_VAN_DE_VARIABELE
#     #   header: X-Api-Key
"""


def new_fiche(root: Path, fiche_id: str, theme: str) -> Path:
    """Write ``fiches/<theme>/<id>.yml`` from the template; never overwrite a fiche."""
    if not re.fullmatch(ID_PATTERN, fiche_id):
        raise ValueError(
            f"ongeldige id {fiche_id!r}: gebruik kleine letters, cijfers en koppeltekens "
            "(2 tot 80 tekens, niet beginnend met een koppelteken), bv. vmm-debieten"
        )
    try:
        theme_value = Theme(theme).value
    except ValueError:
        themes = ", ".join(t.value for t in Theme)
        raise ValueError(f"onbekend thema {theme!r}; kies een van: {themes}") from None
    relative = Path("fiches") / theme_value / f"{fiche_id}.yml"
    target = root / relative
    if target.exists():
        raise FileExistsError(target)
    schema_ref = "../" * len(relative.parent.parts) + SCHEMA_RELATIVE.as_posix()
    text = _TEMPLATE.format(
        schema_comment=SCHEMA_COMMENT_PREFIX + schema_ref,
        path=relative.as_posix(),
        fiche_id=fiche_id,
        theme=theme_value,
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    # "x": refuse to overwrite even if the file appeared since the check above.
    with target.open("x", encoding="utf-8") as handle:
        handle.write(text)
    return target
