"""Composing cited answers from retrieved passages: question analysis, named features, the fitted
model and its weights file, evidence and templates. Pure: no model library, no index, no screen."""
