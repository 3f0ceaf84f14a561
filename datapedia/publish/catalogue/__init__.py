"""The catalogue for harvesters: DCAT-AP with DQV (``dcat``), the measured numbers
(``measures``), the data.europa.eu MQA score (``mqa``) and the small EU vocabularies
they use (``vocab``)."""
