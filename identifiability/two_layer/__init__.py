"""Two-layer uniqueness with fixed supports: :func:`check_uniqueness` and its verdicts.

Rooms, top to bottom (each imports only those below it; a layers contract in
``pyproject.toml`` checks it): :mod:`.completion` (the decision procedure:
``check_uniqueness``), :mod:`.algebraic` (exact decisions once the completion is stuck),
:mod:`.verdict` (the :class:`Verdict`), :mod:`.submersion` (non-uniqueness from a
certified submersion point), :mod:`.certificates` (the certificates, each of which
verifies and explains itself), :mod:`.lifted` (the rank-one lifting both the decision and the
verification use: completion state and step, the lifted polynomial system).

>>> import numpy as np
>>> from identifiability.two_layer import check_uniqueness
>>> check_uniqueness(np.eye(2), np.ones((2, 2)), np.ones((2, 2))).status
'not_unique'
"""

from .completion import check_uniqueness
from .certificates import FibreCertificate, SolutionCountCertificate
from .submersion import SubmersionCertificate
from .verdict import (OBSTRUCTION_KINDS, STATUSES, AlgebraicCertificate, AlternativeCertificate,
                      CompletionCertificate, CompletionStep, JacobianCertificate, Obstruction,
                      Verdict)

__all__ = ["check_uniqueness", "Verdict", "STATUSES", "CompletionCertificate", "CompletionStep",
           "AlternativeCertificate", "Obstruction", "OBSTRUCTION_KINDS", "AlgebraicCertificate",
           "JacobianCertificate", "SolutionCountCertificate", "FibreCertificate",
           "SubmersionCertificate"]
