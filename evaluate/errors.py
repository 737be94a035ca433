"""Errors the evaluation CLI turns into one line on stderr and exit status 2."""

from __future__ import annotations


class EvaluationError(Exception):
    """Base class: the message says what is wrong and what to do about it."""


class GoldError(EvaluationError):
    """The gold file is missing, unreadable or not in the format evaluate/README.md describes."""


class ServiceError(EvaluationError):
    """The system under evaluation could not be reached or did not answer with the JSON contract."""


class FloorError(EvaluationError):
    """A floor file is missing or malformed."""
