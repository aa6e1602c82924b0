"""Numerical answers to "where do sparse-factorization algorithms end, and is it optimal?"."""
