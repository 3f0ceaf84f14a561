"""The probe step: ask each endpoint and measure what it answers (an ``Observation``).

``transport`` is the one HTTP door for feeds (deadlines, caps, address guard, keys
bound to hosts); ``adapters`` speak each protocol; ``quality`` profiles samples in
bounded worker processes. Probes measure and never judge.
"""
