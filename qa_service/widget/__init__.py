"""The embeddable chat widget: its script and styles, and a demo page that embeds it.

A site adds one tag, `<script src="https://HOST/widget.js" defer></script>`, and the widget
talks to /api/* on HOST. The files are plain JavaScript and CSS served as they are (no
build step, nothing fetched from a third party at run time). See README, "## Chat widget".
"""

from .views import bp

__all__ = ["bp"]
