"""Sparse ReLU networks: the network, its rescaling symmetries, path-lifting, local
identifiability.

Four rooms: :mod:`~identifiability.relu.net` (:class:`ReLUNet`),
:mod:`~identifiability.relu.symmetries` (:func:`transform`, :func:`balance`,
:func:`equivalent`, :func:`canonical_form`), :mod:`~identifiability.relu.path_lifting`
(:func:`path_lifting`, its Jacobian, :func:`output_jacobian`) and
:mod:`~identifiability.relu.local` (:func:`local_identifiability`).

>>> import numpy as np
>>> from identifiability.relu import ReLUNet, equivalent
>>> net = ReLUNet([np.array([[1, -1], [2, 1]]), np.array([[1, 3]])])
>>> bool(equivalent(net, net))
True
"""

from .local import ReLULocalResult, local_identifiability
from .net import ReLUNet
from .path_lifting import PathLifting, output_jacobian, path_lifting, path_lifting_jacobian
from .symmetries import (MAX_ORDERINGS, CanonicalNet, ReLUEquivalence, balance, balance_arrays,
                         canonical_form, equivalent, transform)

__all__ = ["ReLUNet", "ReLUEquivalence", "ReLULocalResult", "PathLifting", "transform",
           "balance", "equivalent", "canonical_form", "path_lifting", "path_lifting_jacobian",
           "output_jacobian", "local_identifiability", "balance_arrays", "CanonicalNet",
           "MAX_ORDERINGS"]
