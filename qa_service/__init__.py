"""Extractive question answering over a document collection, with citations to exact spans.

The public surface is small on purpose: `Engine.ask(question, history)` answers,
`build_index(settings)` turns `docs/` into `index/`. Every client calls these.
"""
