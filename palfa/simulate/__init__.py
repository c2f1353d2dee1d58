"""Synthetic PALFA beams with known pulsars and RFI, for demos and end-to-end tests."""

from palfa.simulate.beam import BeamSpec, SimulatedBeam, simulate_beam
from palfa.simulate.pulsar import InjectedPulsar
from palfa.simulate.survey import simulate_survey

__all__ = ["BeamSpec", "InjectedPulsar", "SimulatedBeam", "simulate_beam", "simulate_survey"]
