"""Pipeline settings (the manual's configuration groups) and their sanity checks."""

from palfa.config.checks import Problem, check_settings
from palfa.config.loading import load_settings
from palfa.config.settings import PalfaSettings

__all__ = ["PalfaSettings", "Problem", "check_settings", "load_settings"]
