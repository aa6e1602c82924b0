"""Test-wide settings.

Hypothesis draws the same examples on every run (``derandomize``), so CI is reproducible and a
red run is a real regression; ``HYPOTHESIS_PROFILE=explore python -m pytest`` draws fresh
random examples to hunt for new counterexamples (add each one found as an explicit test).
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
