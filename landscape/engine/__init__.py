"""The optimisation engine: projections, PALM4MSA, hierarchical and butterfly factorization,
fixed-support least squares and lower bounds.

Rooms: :mod:`.projections` (constraint sets, ``check_constraints``), :mod:`.palm`
(PALM4MSA, ``factor_shapes``), :mod:`.hierarchical`, :mod:`.butterfly` (``FactorChain``),
:mod:`.discovery` (butterflies with unknown permutations, ``discover_butterfly``),
:mod:`.fixed_support` (the fixed-support calculus, ``best_rank_one`` and its unvalidated
batched kernel ``best_rank_one_batched``), :mod:`.bounds` (moment lower bounds certified in
exact arithmetic). Stopping rules are ``stop_tol`` / ``fit_tol``, ``tol`` only decides.

>>> from landscape.engine import butterfly_factorize, hadamard
>>> bool(butterfly_factorize(hadamard(8)).relative_error < 1e-12)
True
"""

from .bounds import LowerBound, contribution_variables, moment_lower_bound
from .butterfly import (ButterflyResult, FactorChain, bit_reversal, butterfly_factorize, dft,
                        random_butterfly_factors,
                        hadamard)
from .discovery import ButterflyDiscovery, discover_butterfly, permutation_lower_bound
from .fixed_support import (FixedSupportSolution, best_rank_one, best_rank_one_batched, gradient,
                            hessian, objective, pack, solve_fixed_support, unpack)
from .hierarchical import (HierarchicalResult, butterfly_constraints, hadamard_constraints,
                           hierarchical)
from .palm import PalmResult, factor_shapes, palm4msa
from .projections import (Constraint, check_constraints, compose, normalize_frobenius,
                          project_support, project_topk, project_topk_cols, project_topk_rowcol,
                          project_topk_rows, splincol, support, topk, topk_cols, topk_rows,
                          unit_norm)

__all__ = [
    "project_topk", "project_topk_rows", "project_topk_cols", "project_topk_rowcol",
    "project_support", "normalize_frobenius", "Constraint", "topk", "topk_rows", "topk_cols",
    "splincol", "support", "unit_norm", "compose", "check_constraints",
    "PalmResult", "palm4msa", "factor_shapes",
    "HierarchicalResult", "hierarchical", "hadamard_constraints", "butterfly_constraints",
    "hadamard", "dft", "random_butterfly_factors", "bit_reversal", "FactorChain", "ButterflyResult", "butterfly_factorize",
    "ButterflyDiscovery", "discover_butterfly", "permutation_lower_bound",
    "objective", "gradient", "hessian", "pack", "unpack", "best_rank_one", "best_rank_one_batched",
    "FixedSupportSolution", "solve_fixed_support",
    "LowerBound", "moment_lower_bound", "contribution_variables",
]
