"""Exact answers to "is this sparse factorization unique?"."""
