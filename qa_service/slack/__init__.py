"""The Slack bot: people ask where they already talk, and get the same answers as /api/ask.

- `views`: the /slack/events blueprint (Bolt behind Flask), off with a 503 until configured.
- `bot`: the Bolt app and its listeners (mentions, DMs, thread follow-ups, /ask, buttons).
- `events`: which events are questions and where their answers go (pure).
- `blocks`: answers as Block Kit messages (pure).
- `store`: handled events and each thread's conversation, in the service's SQLite file.
"""
