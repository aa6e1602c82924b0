"""The optimisation engine: projections, PALM4MSA, hierarchical and butterfly factorization,
fixed-support least squares and lower bounds.

>>> from landscape.engine import butterfly_factorize, hadamard
>>> bool(butterfly_factorize(hadamard(8)).relative_error < 1e-12)
True
"""

from .bounds import LowerBound, contribution_variables, moment_lower_bound
from .butterfly import ButterflyResult, FactorChain, bit_reversal, butterfly_factorize, dft, hadamard
from .fixed_support import (FixedSupportSolution, best_rank_one, gradient, hessian, objective,
                            pack, solve_fixed_support, unpack)
from .hierarchical import HierarchicalResult, hadamard_constraints, hierarchical
from .palm import PalmResult, palm4msa
from .projections import (Constraint, compose, normalize_frobenius, project_support, project_topk,
                          project_topk_cols, project_topk_rowcol, project_topk_rows, splincol,
                          support, topk, topk_cols, topk_rows, unit_norm)

__all__ = [
    "project_topk", "project_topk_rows", "project_topk_cols", "project_topk_rowcol",
    "project_support", "normalize_frobenius", "Constraint", "topk", "topk_rows", "topk_cols",
    "splincol", "support", "unit_norm", "compose",
    "PalmResult", "palm4msa", "HierarchicalResult", "hierarchical", "hadamard_constraints",
    "hadamard", "dft", "bit_reversal", "FactorChain", "ButterflyResult", "butterfly_factorize",
    "objective", "gradient", "hessian", "pack", "unpack", "best_rank_one",
    "FixedSupportSolution", "solve_fixed_support",
    "LowerBound", "moment_lower_bound", "contribution_variables",
]
