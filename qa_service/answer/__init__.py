"""Composing the answer: sentences scored against the question, the best chosen and cited,
the answering phrase marked, or a refusal saying what the documents lack."""
