"""Which Slack events are questions for the bot, what they ask, and where the answer goes.

Pure functions over the event payloads Slack sends, so the rules (mentions, DMs, thread
follow-ups, ignoring bots) are testable without Bolt, a server or a database. Whether a
thread is one the bot already answered is the caller's to know (see `store`); this module
only says which conversation a message belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Message subtypes that are still a person writing; every other subtype (edits, deletions,
# joins, bot_message...) is not a question.
PERSON_SUBTYPES = (None, "thread_broadcast", "file_share")

ANY_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")


@dataclass(frozen=True)
class Conversation:
    """Where a conversation lives: a thread, or the top level of a DM (`thread_ts` "")."""

    team: str
    channel: str
    thread_ts: str


@dataclass(frozen=True)
class Incoming:
    """A question someone asked the bot, and where to reply.

    `ts` is the message's own timestamp, `reply_thread_ts` None for a reply at the top level
    of a DM. `message_key` names the message itself: Slack sends a mention inside a thread
    twice (app_mention and message), and only the first one handled may answer.
    `branches_from` is set for a thread in a DM: the DM's top level, whose turns up to the
    message the thread hangs from are the start of the thread's conversation.
    """

    question: str
    user: str
    ts: str
    conversation: Conversation
    reply_thread_ts: str | None
    message_key: str
    branches_from: Conversation | None = None


def unescape(text: str) -> str:
    """Undo Slack's escaping of message text (&amp; last, so "&amp;lt;" stays "&lt;")."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def mention_pattern(bot_user_id: str | None) -> re.Pattern[str]:
    """Mentions of the bot, or of anyone when the bot's user id is not known yet."""
    if not bot_user_id:
        return ANY_MENTION
    return re.compile(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>")


def mentions_bot(text: str, bot_user_id: str | None) -> bool:
    """True when `text` mentions the bot (such a message also arrives as app_mention)."""
    return bool(bot_user_id) and mention_pattern(bot_user_id).search(text) is not None


def question_text(text: str, bot_user_id: str | None) -> str:
    """The question in a message: the bot's mentions removed, Slack's escaping undone."""
    return " ".join(unescape(mention_pattern(bot_user_id).sub(" ", text)).split())


def is_from_person(event: Mapping[str, Any], bot_user_id: str | None) -> bool:
    """False for the bot's own messages, other bots' and system messages (edits, joins...)."""
    user = event.get("user")
    return (
        bool(user)
        and user != bot_user_id
        and not event.get("bot_id")
        and event.get("subtype") in PERSON_SUBTYPES
    )


def _incoming(event: Mapping[str, Any], team: str, bot_user_id: str | None, conversation: Conversation,
              reply_thread_ts: str | None, branches_from: Conversation | None = None) -> Incoming:
    return Incoming(
        question=question_text(str(event.get("text") or ""), bot_user_id),
        user=str(event["user"]),
        ts=str(event["ts"]),
        conversation=conversation,
        reply_thread_ts=reply_thread_ts,
        message_key=f"message:{team}:{event.get('channel')}:{event.get('ts')}",
        branches_from=branches_from,
    )


def from_mention(event: Mapping[str, Any], team: str, bot_user_id: str | None) -> Incoming | None:
    """An app_mention: answered in the message's thread (a new one when it is top level)."""
    if not is_from_person(event, bot_user_id) or not event.get("channel") or not event.get("ts"):
        return None
    thread_ts = str(event.get("thread_ts") or event["ts"])
    conversation = Conversation(team, str(event["channel"]), thread_ts)
    return _incoming(event, team, bot_user_id, conversation, thread_ts)


def from_message(event: Mapping[str, Any], team: str, bot_user_id: str | None) -> tuple[Incoming, bool] | None:
    """A message event that may be a question, with whether it needs a thread the bot answered.

    A DM is always a question (answered in the DM, in its thread if it has one; a thread
    branches from the DM's top level, where it hangs from a question or an answer). In a
    channel only a thread reply can be, and only as a follow-up in a thread the bot answered;
    one that mentions the bot is left to its app_mention event.
    """
    if not is_from_person(event, bot_user_id) or not event.get("channel") or not event.get("ts"):
        return None
    channel, thread_ts = str(event["channel"]), event.get("thread_ts")
    if event.get("channel_type") == "im":
        top = Conversation(team, channel, "")
        if not thread_ts:
            return _incoming(event, team, bot_user_id, top, None), False
        conversation = Conversation(team, channel, str(thread_ts))
        return _incoming(event, team, bot_user_id, conversation, str(thread_ts), branches_from=top), False
    if not thread_ts or mentions_bot(str(event.get("text") or ""), bot_user_id):
        return None
    conversation = Conversation(team, channel, str(thread_ts))
    return _incoming(event, team, bot_user_id, conversation, str(thread_ts)), True
