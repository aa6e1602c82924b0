"""The public core of :mod:`identifiability`, shared with :mod:`landscape`.

Small rooms, in dependency order:

- :mod:`~identifiability.core.numbers`: exact scalars (:class:`GaussianRational`) and the one
  definition of an exact float;
- :mod:`~identifiability.core.validation`: boundary checks with one message shape
  (``The 'k' parameter of f must be ... Got ... instead.``);
- :mod:`~identifiability.core.exact`: exact linear algebra over Q, Q(i) and GF(p);
- :mod:`~identifiability.core.policy`: the one exactness policy of every deciding function;
- :mod:`~identifiability.core.display`: short reprs and the closing lines of ``explain()``;
- :mod:`~identifiability.core.rescaling`: factor balancing (the positive rescaling symmetry);
- :mod:`~identifiability.core.msolve` and :mod:`~identifiability.core.polynomial`: exact
  polynomial systems (emptiness, dimension, solution counts, certified real boxes) with the
  msolve engine and the sympy fallback;
- :mod:`~identifiability.core.aliases`: historical module paths and keyword names.

>>> from identifiability.core import rank_exact, as_matrix
>>> rank_exact(as_matrix([[1, 2], [2, 4]], "A", "demo")).rank
1
"""

from .aliases import register_aliases, renamed_keywords
from .display import closing_lines, fmt_array, fmt_value, summary_repr
from .exact import (DEFAULT_PRIME, ExactRank, dyadic_integer_scaling, exact_equal, exact_matmul,
                    exact_product_equals, exact_to_float, is_exact, nullspace_exact, rank_exact,
                    rank_mod_p, solve_exact, to_exact)
from .policy import DEFAULT_RTOL, Tolerance, decision_tolerance
from .msolve import MSOLVE_ENV, MSOLVE_MAX_PRIME, find_msolve
from .polynomial import (ENGINES, SCREENING_PRIME_RANGE, ScreeningResult, SystemSolution,
                         screen_system, solve_system, unlucky_prime_probability)
from .rescaling import balance_chain, balanced_norm
from .numbers import (EXACT_FLOAT_DENOMINATOR, GaussianRational, InexactInputError, exact_scalar,
                      is_exact_number)
from .validation import (BadInput, BadInputTypeError, BadInputValueError, as_matrix, as_support,
                         as_support_pair, as_supports, check_chain,
                         check_choice, check_int, check_power_of_two, check_real, check_rng,
                         check_tol, param_error)

__all__ = [
    # numbers
    "EXACT_FLOAT_DENOMINATOR", "GaussianRational", "InexactInputError", "exact_scalar",
    "is_exact_number",
    # validation
    "BadInput", "BadInputValueError", "BadInputTypeError", "param_error", "as_matrix", "as_support", "as_supports", "as_support_pair", "check_chain",
    "check_int", "check_real", "check_choice", "check_rng", "check_tol", "check_power_of_two",
    # exact linear algebra
    "ExactRank", "DEFAULT_PRIME", "is_exact", "to_exact", "exact_to_float",
    "dyadic_integer_scaling", "rank_exact", "nullspace_exact", "solve_exact", "rank_mod_p",
    "exact_equal", "exact_matmul", "exact_product_equals",
    # exactness policy
    "DEFAULT_RTOL", "Tolerance", "decision_tolerance",
    # exact polynomial systems (msolve, sympy fallback)
    "solve_system", "SystemSolution", "screen_system", "ScreeningResult",
    "unlucky_prime_probability", "ENGINES", "SCREENING_PRIME_RANGE", "find_msolve",
    "MSOLVE_ENV", "MSOLVE_MAX_PRIME",
    # factor balancing (the positive rescaling symmetry)
    "balance_chain", "balanced_norm",
    # historical names
    "register_aliases", "renamed_keywords",
    # display
    "fmt_array", "fmt_value", "summary_repr", "closing_lines",
]
