"""The landscape of linear sparse factorization: the problem, sampling and classification of
critical points, existence of optima.

Rooms: :mod:`~landscape.linear.problem` (:class:`Problem`, the problem protocol),
:mod:`~landscape.linear.calculus` (batched objective, gradients, balancing),
:mod:`~landscape.linear.sampling` (the PALM runs), :mod:`~landscape.linear.classification`
(second-order test, clusters, certified reference), :mod:`~landscape.linear.existence`
(is the infimum attained?), :mod:`~landscape.linear.critical_values` (every real critical
point of a small fixed-support problem, exactly: certified global values). :func:`sample` is :func:`landscape.sample`.
"""

from ..report import Minimum
from ..sampling import sample
from .classification import CLASSES
from .critical_values import CriticalPoint, CriticalValues, critical_values, escape_bound
from .existence import DivergenceEvidence, Existence, MinimizingSequence, infimum_attained
from .problem import Problem
from .sampling import sample_linear

__all__ = ["Problem", "Minimum", "sample", "sample_linear", "CLASSES", "Existence",
           "MinimizingSequence", "DivergenceEvidence", "infimum_attained", "critical_values",
           "CriticalValues", "CriticalPoint", "escape_bound"]
