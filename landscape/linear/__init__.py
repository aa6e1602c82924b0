"""The landscape of linear sparse factorization: problems, sampling and classification of
critical points, existence of optima.
"""

from .existence import DivergenceEvidence, Existence, MinimizingSequence, infimum_attained
from .sampling import CLASSES, Minimum, Problem, sample

__all__ = ["Problem", "Minimum", "sample", "CLASSES", "Existence", "MinimizingSequence",
           "DivergenceEvidence", "infimum_attained"]
