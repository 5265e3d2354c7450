"""The model: the typed nouns of a decisions folder and the pure rules about them.

Imports nothing above it; every other layer reads it.
"""
