"""Numerical answers to "where do sparse-factorization algorithms end, and is it optimal?".

Real and complex float arrays throughout; many random starts are one batched array
computation (batch axis first).

>>> from landscape import butterfly_factorize, hadamard
>>> bool(butterfly_factorize(hadamard(16)).relative_error < 1e-12)
True
"""

from .butterfly import ButterflyResult, FactorChain, bit_reversal, butterfly_factorize, dft, hadamard
from .fixed_support import (FixedSupportSolution, best_rank_one, gradient, hessian, objective, pack,
                            solve_fixed_support, unpack)
from .hierarchical import HierarchicalResult, hadamard_constraints, hierarchical
from .palm import PalmResult, palm4msa
from .projections import (Constraint, compose, normalize_frobenius, project_support, project_topk,
                          project_topk_cols, project_topk_rowcol, project_topk_rows, splincol,
                          support, topk, topk_cols, topk_rows, unit_norm)

__all__ = [
    "butterfly_factorize", "ButterflyResult", "FactorChain", "hadamard", "dft", "bit_reversal",
    "solve_fixed_support", "FixedSupportSolution", "objective", "gradient", "hessian", "pack",
    "unpack", "best_rank_one",
    "palm4msa", "PalmResult", "hierarchical", "HierarchicalResult", "hadamard_constraints",
    "project_topk", "project_topk_rows", "project_topk_cols", "project_topk_rowcol",
    "project_support", "normalize_frobenius", "Constraint", "topk", "topk_rows", "topk_cols",
    "splincol", "support", "unit_norm", "compose",
]
