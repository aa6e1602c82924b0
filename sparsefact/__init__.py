"""sparsefact: the command-line shell over ``identifiability`` and ``landscape``."""

__version__ = "0.1.0"
