"""Exact answers to "is this sparse factorization unique?".

Every verdict comes with a certificate that ``verify()`` re-checks: an explicit second
factorization, a completion order with bipartite connectivity witnesses, an exact rank, or an
obstruction. See the README for a tour.

>>> import numpy as np
>>> from identifiability import check_uniqueness
>>> check_uniqueness(np.array([[1, 2], [1, 3]]), np.ones((2, 2)), [[1, 1], [0, 1]]).status
'not_unique'
"""

from .core.aliases import register_aliases


from .equivalence import Equivalence, canonical_form, equivalent, rank_one_contributions
from .core import (ExactRank, GaussianRational, InexactInputError, exact_matmul, is_exact,
                    nullspace_exact, rank_exact, rank_mod_p, solve_exact, to_exact)
from .generic import GenericResult, LocalResult, generic_uniqueness, jacobian, local_identifiability
from .graphs import RankOneCompletion, bipartite_graph, complete_rank_one, coverage
from .supports import (all_supports, block_diag_support, butterfly_segment_support,
                       bit_reversal, butterfly_split_supports, butterfly_supports, dense_support,
                       equivalence_classes, kron_support, lower_triangular_support,
                       random_support, rank_one_supports, support_of)
from .relu import (PathLifting, ReLUEquivalence, ReLULocalResult, ReLUNet, output_jacobian,
                   path_lifting, path_lifting_jacobian)
from .relu import balance as relu_balance
from .relu import canonical_form as relu_canonical_form
from .relu import equivalent as relu_equivalent
from .relu import local_identifiability as relu_local_identifiability
from .relu import transform as relu_transform
from .chains import ChainNode, ChainVerdict, check_butterfly_uniqueness, check_uniqueness_chain
from .sparsity import SparseVerdict, check_uniqueness_sparse
from .symbolic import ConditionCheck, UniquenessConditions, uniqueness_conditions
from .two_layer.completion import check_uniqueness
from .two_layer.verdict import (STATUSES, AlgebraicCertificate, AlternativeCertificate,
                      CompletionCertificate, CompletionStep, JacobianCertificate, Obstruction,
                      Verdict)

__all__ = [
    # two-layer uniqueness
    "check_uniqueness", "Verdict", "STATUSES", "CompletionCertificate", "CompletionStep",
    "AlternativeCertificate", "Obstruction", "AlgebraicCertificate", "JacobianCertificate",
    # beyond fixed supports
    "check_uniqueness_sparse", "SparseVerdict", "check_uniqueness_chain",
    "check_butterfly_uniqueness", "ChainVerdict", "ChainNode",
    # ReLU networks (identifiability.relu; renamed where the factorization names are taken)
    "ReLUNet", "ReLUEquivalence", "ReLULocalResult", "PathLifting", "path_lifting",
    "path_lifting_jacobian", "output_jacobian", "relu_equivalent", "relu_canonical_form",
    "relu_local_identifiability", "relu_transform", "relu_balance",
    # equivalence
    "equivalent", "Equivalence", "canonical_form", "rank_one_contributions",
    # generic / symbolic
    "generic_uniqueness", "local_identifiability", "jacobian", "GenericResult", "LocalResult",
    "uniqueness_conditions", "UniquenessConditions", "ConditionCheck",
    # supports
    "support_of", "dense_support", "lower_triangular_support", "random_support", "all_supports",
    "kron_support", "block_diag_support", "butterfly_supports", "butterfly_segment_support",
    "butterfly_split_supports", "bit_reversal", "rank_one_supports", "equivalence_classes",
    # graphs and exact algebra
    "complete_rank_one", "RankOneCompletion", "bipartite_graph", "coverage",
    "rank_exact", "nullspace_exact", "solve_exact", "rank_mod_p", "exact_matmul", "to_exact",
    "is_exact", "ExactRank", "GaussianRational", "InexactInputError",
]

# Historical module paths (docs: architecture), bound last so that no old path rebinds a name
# this package exports.
register_aliases({f"identifiability.{old}": f"identifiability.{new}" for old, new in {
    "exact": "core.exact", "verdict": "two_layer.verdict", "stuck": "two_layer.algebraic",
    "certificates": "two_layer.certificates", "multilayer": "chains",
    "sparsity_levels": "sparsity"}.items()})
