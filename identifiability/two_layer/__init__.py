"""Two-layer uniqueness with fixed supports: :func:`check_uniqueness` and its verdicts.

Rooms: :mod:`.verdict` (the result and certificate data), :mod:`.completion` (rank-one
lifting and completion, the decision procedure), :mod:`.algebraic` (exact decisions once the
completion is stuck), :mod:`.certificates` (independent re-checking and explanations).

>>> import numpy as np
>>> from identifiability.two_layer import check_uniqueness
>>> check_uniqueness(np.eye(2), np.ones((2, 2)), np.ones((2, 2))).status
'not_unique'
"""

from .completion import check_uniqueness
from .verdict import (STATUSES, AlgebraicCertificate, AlternativeCertificate,
                      CompletionCertificate, CompletionStep, JacobianCertificate, Obstruction,
                      Verdict)

__all__ = ["check_uniqueness", "Verdict", "STATUSES", "CompletionCertificate", "CompletionStep",
           "AlternativeCertificate", "Obstruction", "AlgebraicCertificate",
           "JacobianCertificate"]
