"""Reading the question: what kind of thing it asks for (a date, a name, a number, a
place...), whose role or view, which story, and what a follow-up refers back to."""
