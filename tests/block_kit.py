"""Reading Block Kit messages in tests: every text in them, and Slack's limits on them.

Shared by the pure block tests (test_slack_blocks.py) and the tests of the bot's real posts
(test_slack.py), so both check the same limits the same way.
"""

from __future__ import annotations

from typing import Any

from qa_service.slack.blocks import MAX_BLOCKS, MAX_CONTEXT_ELEMENTS, MAX_TEXT


def texts_of(blocks: list[dict[str, Any]]) -> list[str]:
    """Every text in a message's blocks (sections, context elements, button labels), in order."""
    found = []
    for block in blocks:
        if "text" in block:
            found.append(block["text"]["text"])
        for element in block.get("elements", []):
            found.append(element["text"] if isinstance(element["text"], str) else element["text"]["text"])
    return found


def check_block_kit(blocks: list[dict[str, Any]]) -> None:
    """Block Kit's limits: 1 to 50 blocks, 3,000 characters per text, 1 to 10 elements per context block."""
    assert 0 < len(blocks) <= MAX_BLOCKS
    for text in texts_of(blocks):
        assert len(text) <= MAX_TEXT
    for block in blocks:
        if block["type"] == "context":
            assert 0 < len(block["elements"]) <= MAX_CONTEXT_ELEMENTS
