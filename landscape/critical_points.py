"""Historical module path of the linear landscape (now :mod:`landscape.linear` and
:func:`landscape.sample`): every public name it had still imports from here.

>>> import landscape
>>> from landscape.critical_points import sample
>>> sample is landscape.sample is landscape.linear.sample
True
"""

import numpy as np

from identifiability.relu.net import ReLUNet

from . import relu
from .linear.classification import CLASSES
from .linear.problem import Problem
from .report import Minimum, register_problem
from .sampling import sample

__all__ = ["Problem", "Minimum", "sample", "CLASSES"]


# --------------------------------------------------------------------------- TEMPORARY bridge
# Until landscape.relu.ReLUProblem implements the protocol itself (its owner is adding it in
# landscape/relu/problem.py), the missing protocol members are supplied here, from public
# names only. Members the class already has are never replaced. Remove when complete.

def _relu_sample_landscape(self, n_starts, *, rng=None, method=None, executor=None, n_jobs=2,
                           chunk_size=None, n_iter=None, checkpoint=None, progress=None,
                           value_tol=None, eq_tol=None, **rest):
    if rest:
        raise TypeError(f"sample() got an unexpected option {sorted(rest)[0]!r} for a "
                        "ReLUProblem")
    return relu.sample_relu(self, n_starts, rng=rng, executor=executor, n_jobs=n_jobs,
                            method=method or "lbfgs", n_iter=500 if n_iter is None else n_iter,
                            rtol=0.01 if value_tol is None else value_tol,
                            cluster_tol=1e-2 if eq_tol is None else eq_tol,
                            chunk_size=16 if chunk_size is None else chunk_size,
                            checkpoint=checkpoint, progress=progress)


def _relu_to_state(self):
    arrays = {"X": self.X, "y": self.y}
    if self.supports is not None:
        arrays.update(support0=self.supports[0], support1=self.supports[1])
    return {"width": self.width, "beta": self.beta, "bias": self.bias,
            "supports": self.supports is not None}, arrays


def _relu_from_state(cls, meta, arrays):
    return cls(arrays["X"], arrays["y"], width=meta["width"], beta=meta["beta"],
               bias=meta["bias"], supports=(arrays["support0"], arrays["support1"])
               if meta["supports"] else None)


_CONVEX_FIELDS = ("value", "objective", "exhaustive", "n_patterns", "n_neurons", "status",
                  "solve_time", "lower_bound")


def _relu_reference_to_state(self, convex):
    return ({k: getattr(convex, k) for k in _CONVEX_FIELDS},
            {"W1": convex.net.weights[0], "W2": convex.net.weights[1]})


def _relu_reference_from_state(cls, meta, arrays):
    return relu.ConvexReference(net=ReLUNet([arrays["W1"], arrays["W2"]]), **meta)


def _relu_shapes(self):
    return [(self.width, self.design.shape[1]), (self.Y.shape[1], self.width)]


def _relu_flat(self, factors):
    return np.concatenate([np.asarray(F).reshape(len(F), -1) for F in factors], axis=1)


def _relu_unflat(self, theta):
    theta = np.atleast_2d(theta)
    shapes = _relu_shapes(self)
    cuts = np.cumsum([int(np.prod(sh)) for sh in shapes])[:-1]
    return [X.reshape(-1, *sh) for X, sh in zip(np.split(theta, cuts, axis=1), shapes)]


def _bridge(cls) -> None:
    members = {
        "kind": "relu", "methods": ("lbfgs", "palm", "sgd"),
        "sample_landscape": _relu_sample_landscape,
        "describe": lambda self: {"same": "outputs on the data (within cluster_tol)",
                                  "existence": "relu_optimum_exists"},
        "to_state": _relu_to_state, "from_state": classmethod(_relu_from_state),
        "reference_to_state": _relu_reference_to_state,
        "reference_from_state": classmethod(_relu_reference_from_state),
        "flat": _relu_flat, "unflat": _relu_unflat,
    }
    for name, value in members.items():
        if not hasattr(cls, name):
            setattr(cls, name, value)
    register_problem(cls.kind, cls)


_bridge(relu.ReLUProblem)
