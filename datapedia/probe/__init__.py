"""The probe step: ask each endpoint and measure what it answers (an ``Observation``).

``transport`` is the one HTTP door for feeds (deadlines, caps, address guard, keys
bound to hosts); ``keyguard`` says how an endpoint is asked; ``adapters`` speak each
protocol; ``parsing`` reads large bodies in bounded processes; ``runner`` probes every
fiche (in threads, or in several processes); ``quality`` runs frictionless and Great
Expectations on the samples, in bounded worker processes. Probes measure and never
judge: they may use the model, the loaded secret map and ``util``, never the judge.
"""
