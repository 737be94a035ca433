"""The service's pages for people in a browser: the embeddable chat widget, a demo page that
embeds it, and the source page that shows a cited span in its document.

A site adds one tag, `<script src="https://HOST/widget.js" defer></script>`, and the widget
talks to /api/* on HOST. The files are plain JavaScript and CSS served as they are (no
build step, nothing fetched from a third party at run time). See README, "## Chat widget".
The source page (`source`) is also where Slack's citations link to.
"""

from .source import bp as source_bp
from .views import bp

__all__ = ["bp", "source_bp"]
