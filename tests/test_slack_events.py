"""Which Slack events are questions, what they ask, and where the answer goes (no Slack needed)."""

from __future__ import annotations

from typing import Any

import pytest

from qa_service.slack.events import Conversation, from_mention, from_message, question_text, unescape

BOT = "UBOT0001"
TEAM = "T1"


def event(**fields: Any) -> dict[str, Any]:
    return {"type": "message", "user": "UASK", "text": "Who leads?", "ts": "100.1", "channel": "C1",
            "channel_type": "channel", **fields}


@pytest.mark.parametrize(("text", "question"), [
    (f"<@{BOT}> Who leads?", "Who leads?"),
    (f"<@{BOT}|qa>   Who   leads?  ", "Who leads?"),
    (f"Hey <@{BOT}>, who leads <@UOTHER>?", "Hey , who leads <@UOTHER>?"),  # other people stay mentioned
    ("Is R&amp;D &lt;funded&gt;?", "Is R&D <funded>?"),
    (f"<@{BOT}>", ""),
])
def test_question_text_strips_the_bot_and_undoes_slacks_escaping(text: str, question: str) -> None:
    assert question_text(text, BOT) == question


def test_without_the_bot_id_any_mention_is_stripped() -> None:
    assert question_text("<@U999> Who leads?", None) == "Who leads?"


def test_unescape_undoes_ampersand_last() -> None:
    assert unescape("&amp;lt;") == "&lt;"


def test_a_top_level_mention_starts_a_thread_on_itself() -> None:
    incoming = from_mention(event(type="app_mention", text=f"<@{BOT}> Who leads?"), TEAM, BOT)
    assert incoming is not None
    assert incoming.question == "Who leads?" and incoming.user == "UASK"
    assert incoming.conversation == Conversation(TEAM, "C1", "100.1")
    assert incoming.reply_thread_ts == "100.1"
    assert incoming.message_key == "message:T1:C1:100.1"


def test_a_mention_in_a_thread_replies_in_that_thread() -> None:
    incoming = from_mention(event(type="app_mention", thread_ts="90.0"), TEAM, BOT)
    assert incoming is not None and incoming.reply_thread_ts == "90.0"
    assert incoming.conversation == Conversation(TEAM, "C1", "90.0")


def test_a_dm_is_a_question_answered_in_the_dm() -> None:
    found = from_message(event(channel="D1", channel_type="im"), TEAM, BOT)
    assert found is not None
    incoming, needs_answered_thread = found
    assert not needs_answered_thread and incoming.reply_thread_ts is None
    assert incoming.conversation == Conversation(TEAM, "D1", "")
    assert incoming.branches_from is None and incoming.ts == "100.1"


def test_a_dm_thread_is_its_own_conversation_branching_from_the_dm() -> None:
    found = from_message(event(channel="D1", channel_type="im", ts="120.5", thread_ts="100.2"), TEAM, BOT)
    assert found is not None
    incoming, needs_answered_thread = found
    assert not needs_answered_thread  # any DM message is a question, in a thread or not
    assert incoming.conversation == Conversation(TEAM, "D1", "100.2")
    assert incoming.reply_thread_ts == "100.2" and incoming.ts == "120.5"
    assert incoming.branches_from == Conversation(TEAM, "D1", "")


def test_a_thread_reply_in_a_channel_is_a_follow_up_only_in_an_answered_thread() -> None:
    found = from_message(event(thread_ts="90.0"), TEAM, BOT)
    assert found is not None
    incoming, needs_answered_thread = found
    assert needs_answered_thread and incoming.reply_thread_ts == "90.0"
    assert incoming.branches_from is None  # a channel thread's history is its own


@pytest.mark.parametrize("fields", [
    {},  # a channel message outside any thread
    {"thread_ts": "90.0", "text": f"<@{BOT}> and also?"},  # left to its app_mention event
])
def test_channel_messages_that_are_not_follow_ups_are_not_questions(fields: dict[str, Any]) -> None:
    assert from_message(event(**fields), TEAM, BOT) is None


@pytest.mark.parametrize("fields", [
    {"user": BOT},
    {"bot_id": "B1"},
    {"subtype": "bot_message"},
    {"subtype": "message_changed"},
    {"subtype": "channel_join"},
    {"user": None},
])
def test_bots_and_system_messages_are_never_questions(fields: dict[str, Any]) -> None:
    assert from_message(event(channel_type="im", **fields), TEAM, BOT) is None
    assert from_mention(event(type="app_mention", **fields), TEAM, BOT) is None


def test_a_thread_broadcast_from_a_person_still_counts() -> None:
    assert from_message(event(channel_type="im", subtype="thread_broadcast"), TEAM, BOT) is not None
