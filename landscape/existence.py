"""Historical module path of "is the optimum attained?": the linear answer
(:mod:`landscape.linear.existence`) and the ReLU one (:mod:`landscape.relu.existence`).

>>> from landscape.existence import infimum_attained, relu_optimum_exists
>>> infimum_attained.__module__, relu_optimum_exists.__module__
('landscape.linear.existence', 'landscape.relu.existence')
"""

from .linear.existence import DivergenceEvidence, Existence, MinimizingSequence, infimum_attained
from .relu.existence import ReLUExistence, relu_optimum_exists

__all__ = ["Existence", "MinimizingSequence", "DivergenceEvidence", "infimum_attained",
           "ReLUExistence", "relu_optimum_exists"]
