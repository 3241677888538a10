"""Shared offline NLP resources (sentence embeddings) used by several scorers."""
