"""Numerical answers to "where do sparse-factorization algorithms end, and is it optimal?".

Real and complex float arrays throughout; many random starts are one batched array
computation (batch axis first).

Rooms, in dependency order (checked by the import-linter contracts of ``pyproject.toml``):

- :mod:`landscape.engine`: projections, PALM (:func:`palm4msa`), :func:`hierarchical`,
  :func:`butterfly_factorize`, :func:`solve_fixed_support`, moment lower bounds;
- :mod:`landscape.executors` (:func:`map_chunks`, :func:`seed_plan`) and
  :mod:`landscape.divergence` (the one divergence detector);
- :mod:`landscape.report` (:class:`LandscapeReport`, :class:`Minimum`, the problem protocol
  and :func:`register_problem`) and :mod:`landscape.datasets`;
- :mod:`landscape.sampling`: :func:`sample`, which runs any problem following the protocol;
- :mod:`landscape.linear` (:class:`Problem`, :func:`infimum_attained`) and
  :mod:`landscape.relu` (:func:`train_relu`, :class:`ReLUProblem`, the convex reference,
  :func:`relu_optimum_exists`), which never import each other;
- :mod:`landscape.critical_points`, :mod:`landscape.existence`: historical module paths.

>>> from landscape import butterfly_factorize, hadamard
>>> bool(butterfly_factorize(hadamard(16)).relative_error < 1e-12)
True
"""

from identifiability.core.aliases import register_aliases


from . import critical_points, existence, linear, relu  # critical_points, existence: historical facades
from .engine.bounds import LowerBound, moment_lower_bound
from .sampling import sample
from .linear import CLASSES, Problem
from .report import LandscapeReport, Minimum, register_problem
from .datasets import load_cifar10, load_digits, teacher_student
from .linear.existence import DivergenceEvidence, Existence, MinimizingSequence, infimum_attained
from .relu.existence import ReLUExistence, relu_optimum_exists
from .executors import map_chunks, seed_plan
from .relu.existence import Components, ExactFit, NoExactFit, lu_sequence
from .relu import (ConvexReference, PruningResult, ReLUProblem, SupermaskResult,
                        TrainResult, activation_patterns, convex_reference, diverging,
                        magnitude_pruning, sample_relu, supermask, train_relu)
from .engine.butterfly import (ButterflyResult, FactorChain, bit_reversal, butterfly_factorize, dft,
                               hadamard, random_butterfly_factors)
from .engine.discovery import ButterflyDiscovery, discover_butterfly, permutation_lower_bound
from .engine.fixed_support import (FixedSupportSolution, best_rank_one, gradient, hessian, objective, pack,
                            solve_fixed_support, unpack)
from .engine.hierarchical import (HierarchicalResult, butterfly_constraints,
                                  hadamard_constraints, hierarchical)
from .engine.palm import PalmResult, palm4msa
from .engine.projections import (Constraint, compose, normalize_frobenius, project_support, project_topk,
                          project_topk_cols, project_topk_rowcol, project_topk_rows, splincol,
                          support, topk, topk_cols, topk_rows, unit_norm)

__all__ = [
    "critical_points", "existence", "linear", "relu", "sample", "Problem", "Minimum", "CLASSES",
    "LandscapeReport", "register_problem",
    "infimum_attained", "Existence", "MinimizingSequence", "DivergenceEvidence",
    "relu_optimum_exists", "ReLUExistence", "Components", "ExactFit", "NoExactFit",
    "lu_sequence", "moment_lower_bound", "LowerBound", "map_chunks",
    "seed_plan",
    "train_relu", "TrainResult", "diverging", "magnitude_pruning", "PruningResult", "supermask",
    "SupermaskResult", "convex_reference", "ConvexReference", "activation_patterns",
    "ReLUProblem", "sample_relu", "teacher_student", "load_digits",
    "load_cifar10",
    "butterfly_factorize", "ButterflyResult", "FactorChain", "hadamard", "random_butterfly_factors", "dft", "bit_reversal",
    "solve_fixed_support", "FixedSupportSolution", "objective", "gradient", "hessian", "pack",
    "unpack", "best_rank_one",
    "discover_butterfly", "ButterflyDiscovery", "permutation_lower_bound",
    "palm4msa", "PalmResult", "hierarchical", "HierarchicalResult", "hadamard_constraints", "butterfly_constraints",
    "project_topk", "project_topk_rows", "project_topk_cols", "project_topk_rowcol",
    "project_support", "normalize_frobenius", "Constraint", "topk", "topk_rows", "topk_cols",
    "splincol", "support", "unit_norm", "compose",
]

# Historical module paths (docs: architecture), bound last so that no old path rebinds a name
# this package exports.
register_aliases({f"landscape.{old}": f"landscape.{new}" for old, new in {
    "projections": "engine.projections", "palm": "engine.palm",
    "hierarchical": "engine.hierarchical", "butterfly": "engine.butterfly",
    "fixed_support": "engine.fixed_support", "bounds": "engine.bounds",
    "relu_nets": "relu", "relu_existence": "relu.existence",
    "relu_torch": "relu.torch_backend"}.items()})
