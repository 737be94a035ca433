"""Evaluation of the question-answering service: gold set and answer matching."""
