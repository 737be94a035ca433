"""Evaluation of the question-answering service: gold set, matching, metrics, reports, calibration."""
