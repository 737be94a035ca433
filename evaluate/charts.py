"""matplotlib for reports: drawn off-screen (Agg, so no display is needed) and returned as PNG bytes."""

from __future__ import annotations

import io
from typing import Any


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend, imported only when a chart is drawn (it is slow to import)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def to_png(fig: Any) -> bytes:
    """The figure as PNG bytes; the figure is closed, so drawing many charts keeps no memory."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    pyplot().close(fig)
    return buffer.getvalue()
