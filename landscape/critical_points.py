"""Historical module path of the linear landscape (now :mod:`landscape.linear` and
:func:`landscape.sample`): every public name it had still imports from here.

>>> import landscape
>>> from landscape.critical_points import sample
>>> sample is landscape.sample is landscape.linear.sample
True
"""

from .linear.classification import CLASSES
from .linear.problem import Problem
from .report import Minimum
from .sampling import sample

__all__ = ["Problem", "Minimum", "sample", "CLASSES"]
