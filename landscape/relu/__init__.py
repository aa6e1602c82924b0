"""Sparse ReLU networks, numerically: training, pruning, the convex reference, ReLU problems
for :func:`landscape.sample`, existence of optima. The torch backend lives in
:mod:`landscape.relu.torch_backend` (optional dependency).
"""

from .existence import Components, ExactFit, NoExactFit, ReLUExistence, lu_sequence, relu_optimum_exists
from .training import (ConvexReference, PruningResult, ReLUProblem, SupermaskResult, TrainResult,
                       activation_patterns, convex_reference, diverging, magnitude_pruning,
                       sample_relu, supermask, train_relu)

__all__ = ["TrainResult", "train_relu", "diverging", "PruningResult", "magnitude_pruning",
           "SupermaskResult", "supermask", "ConvexReference", "activation_patterns",
           "convex_reference", "ReLUProblem", "sample_relu", "Components", "ExactFit",
           "NoExactFit", "ReLUExistence", "lu_sequence", "relu_optimum_exists"]
