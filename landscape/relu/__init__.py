"""Sparse ReLU networks, numerically: training, pruning, the convex reference, activation
patterns, ReLU problems for :func:`landscape.sample`, existence of optima.

Rooms: :mod:`~landscape.relu.kernels` (batched forward / backward kernels),
:mod:`~landscape.relu.training` (:func:`train_relu`, :class:`TrainResult`; PALM, SGD,
L-BFGS), :mod:`~landscape.relu.pruning` (magnitude pruning, supermasks),
:mod:`~landscape.relu.convex` (the convex reference and its exact dual bound),
:mod:`~landscape.relu.arrangements` (hyperplane-arrangement cells = activation patterns),
:mod:`~landscape.relu.problem` (:class:`ReLUProblem`, :func:`sample_relu`),
:mod:`~landscape.relu.existence` (:func:`relu_optimum_exists`). The torch backend lives in
:mod:`landscape.relu.torch_backend` (optional dependency). :func:`diverging` is the one
divergence detector of :mod:`landscape.divergence`.
"""

from ..divergence import diverging
from .arrangements import activation_patterns, cell_count, open_cells
from .convex import ConvexReference, convex_reference, dual_lower_bound
from .existence import Components, ExactFit, NoExactFit, ReLUExistence, lu_sequence, relu_optimum_exists
from .problem import ReLUProblem, descent_direction, sample_relu
from .pruning import PruningResult, SupermaskResult, magnitude_pruning, supermask
from .training import TrainResult, train_relu

__all__ = ["TrainResult", "train_relu", "diverging", "PruningResult", "magnitude_pruning",
           "SupermaskResult", "supermask", "ConvexReference", "activation_patterns",
           "convex_reference", "dual_lower_bound", "open_cells", "cell_count", "ReLUProblem",
           "sample_relu", "descent_direction", "Components", "ExactFit", "NoExactFit",
           "ReLUExistence", "lu_sequence", "relu_optimum_exists"]
