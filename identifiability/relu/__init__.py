"""Sparse ReLU networks: the network, its rescaling symmetries, path-lifting, local
identifiability.

>>> import numpy as np
>>> from identifiability.relu import ReLUNet, equivalent
>>> net = ReLUNet([np.array([[1, -1], [2, 1]]), np.array([[1, 3]])])
>>> bool(equivalent(net, net))
True
"""

from .net import (PathLifting, ReLUEquivalence, ReLULocalResult, ReLUNet, balance,
                  canonical_form, equivalent, local_identifiability, output_jacobian,
                  path_lifting, path_lifting_jacobian, transform)

__all__ = ["ReLUNet", "ReLUEquivalence", "ReLULocalResult", "PathLifting", "transform",
           "balance", "equivalent", "canonical_form", "path_lifting", "path_lifting_jacobian",
           "output_jacobian", "local_identifiability"]
