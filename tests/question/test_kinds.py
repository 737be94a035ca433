"""The kind of answer a question asks for, and whether a sentence holds it."""

from __future__ import annotations

import pytest
from refusals import assert_refused

from qa_service.engine import Engine
from qa_service.models import Turn
from qa_service.question.conversation import resolve
from qa_service.question.kinds import (
    asked_type,
    asking_words,
    holds_kind,
    initialisms,
    institution_asked,
    kind_is_required,
    names_in,
    spells_out,
)


@pytest.mark.parametrize(("question", "kind"), [
    ("Why was the decision expected?", "reason"), ("What was the reason for the delay?", "reason"),
    ("How many children live far from home?", "number"), ("When will the guidance be published?", "date"),
    ("Who chaired the inquiry?", "name"), ("What did the charities say?", None),
    ("Which charities warned about it?", "name"), ("What organisation runs it?", "name"),
    ("How was the review able to be so wide-ranging?", "reason"), ("What allowed the council to act?", "reason"),
    ("How was the review received?", None),
    ("How old is he?", "number"), ("At what age do children leave care?", "number"),  # an age is a number
    ("Who wrote the story about the review?", "author"), ("Who is the author of this blog post?", "author"),
    ("Who wrote to the schools?", "name"),  # wrote to someone: who received it
    ("Who reported on the review for the BBC?", "author"),  # for a publication
    ("Who reported on the abuse for years?", "name"), ("Who reported the abuse?", "name"),
    ("What is the new guidance called?", "title"), ("what's the title of the report", "title"),
    ("Who was named chief social worker?", "name"),
    ("Who wrote the Munro review?", "name"),  # a review's author is no byline
    ("Which directors' association welcomed it?", "name"), ("What other groups backed it?", "name"),
    ("What leaves councils short of money?", None),  # a verb between "what" and "councils"
    ("Which other industries should case reviews learn from?", "examples"),
    ("Munro wants SCRs done differently - what other sectors did she name?", "examples"),
    ("Which other councils are piloting it?", "name"),  # a name of a council comes first
    ("How soon after birth can a baby be removed?", "duration"), ("how long will the pilots run", "duration"),
    ("What does PAIN stand for?", "expansion"), ("what is DfE short for", "expansion"),
    ("Where is the charity based?", "base"), ("Where did he say that?", None),
    ("What deadline did the government set?", "date"), ("Which timetable was announced?", "date"),
    ("To whom did the minister write?", "name"), ("whose views is that person meant to report", "name"),
    ("And when should they be in post?", "date"), ("But why?", "reason"),  # a follow-up joining the last turn
    ("so where is it based", "base"), ("And who did the minister write to?", "name"),
    ("Andrew said when?", None),  # "and" only as a word of its own
    ("What's the deadline for councils?", "date"), ("what is the timetable now", "date"),
    ("What was the day-to-day work like?", None),
    ("What title did the government give its response?", "title"), ("Which name was it given?", "title"),
    ("Who is the journalist behind the BBC piece?", "author"),
    ("What example did she give of services working together?", "examples"),
    ("Give me examples of early help", "examples"), ("How many examples did she include?", "number"),
])
def test_asked_type(question: str, kind: str | None) -> None:
    assert asked_type(question) == kind


@pytest.mark.parametrize(("question", "required"), [
    ("Who chaired the inquiry?", True),  # asks who did it: a name
    ("Who did the minister write to?", False),  # asks who received it: often a group, "early years providers"
    ("Whom will the council consult?", False),
    ("To whom did the minister write?", False),
    ("Whose views should the social worker report?", False),  # "the frontline": an owner need not be named
    ("How many children were moved?", True),
    ("Why was it dropped?", False),  # a reason is often implicit
    ("And to whom did she write?", False),
])
def test_kind_is_required(question: str, required: bool) -> None:
    kind = asked_type(question)
    assert kind is not None
    assert kind_is_required(kind, question) is required


@pytest.mark.parametrize(("sentence", "holds"), [
    ("At the charity, Shaun Kelly said so.", True),
    ("Professor Munro said so.", False),  # the question's own name, with a title, answers nothing
    ("The charity said so.", False),
    ("In the end Ms O'Brien said so.", True),  # names spelt with an apostrophe or a hyphen are names too
])
def test_a_name_the_question_uses_is_no_answer(sentence: str, holds: bool) -> None:
    question = "Who agreed with Munro?"
    assert holds_kind("name", sentence, question) is holds


@pytest.mark.parametrize(("line", "signs"), [
    ("By Jane Smith, Tuesday 10 May 2011", True),
    ("Image News LogoBy Jane Smith Tuesday, 10 May 2011", True),  # glued to the page's last label
    ("This post is provided by our Lead Consultant, Jane Smith; more about her at the end.", True),
    ("Nearby Jane Smith", False),
    ("Written by the team", False),  # names no one
    ("Some 26 years after Cleveland and the public inquiry chaired by Dame Jane Smith, there is very little "
     "change in how babies are taken into care.", False),  # a long sentence reports, it signs nothing
])
def test_a_byline_names_who_wrote_the_story(line: str, signs: bool) -> None:
    assert holds_kind("author", line, "") is signs


@pytest.mark.parametrize(("sentence", "dates"), [
    ("It hosts an event this coming weekend.", True), ("The report is out tomorrow.", True),
    ("It is out next week.", True), ("It is coming to the weekend market.", False),
])
def test_a_date_may_be_a_day_named_from_today(sentence: str, dates: bool) -> None:
    assert holds_kind("date", sentence, "") is dates


@pytest.mark.parametrize(("sentence", "dates"), [
    ("The Duchy of Normandy began in 911 as a fiefdom.", True),  # a year of three digits, put in time by "in"
    ("In 1066, Duke William II of Normandy conquered England.", True),
    ("Hervé served in the 1050s.", True), ("Viking settlers had begun arriving in the 880s.", True),
    ("The name was first recorded in the 9th century.", True), ("It spread in the eleventh century.", True),
    ("Pompeii was buried in AD 79.", True), ("Rome was founded in 753 BC.", True),
    ("The army had 300 ships and 20,000 troops.", False),  # numbers, not years
    ("The engine gave 1,200 horsepower.", False),
])
def test_a_year_is_a_date_in_any_century(sentence: str, dates: bool) -> None:
    assert holds_kind("date", sentence, "When?") is dates


@pytest.mark.parametrize(("sentence", "counts"), [
    ("The army had 300 ships.", True),
    ("In 1066, Duke William II of Normandy conquered England.", False),  # a year counts nothing
    ("The Duchy began in 911 as a fiefdom.", False),
])
def test_a_year_is_no_count(sentence: str, counts: bool) -> None:
    assert holds_kind("number", sentence, "How many?") is counts


NAMES_OF_ONE_WORD = frozenset({"rollo", "adriatic", "allston"})  # IndexData.repeated_names of some collection


@pytest.mark.parametrize(("sentence", "question", "names"), [
    ("The treaty was made with the famed Viking ruler Rollo.", "Who was the Viking ruler?", True),
    ("The treaty was made with the famed Viking ruler.", "Who was the Viking ruler?", False),
    ("Later, the Vikings settled there.", "Who settled?", False),  # no name of one word the collection knows
    ("The Duchy was given to Rollo.", "Who did Rollo fight?", False),  # the question's own name
])
def test_a_name_may_be_one_word_the_collection_repeats(sentence: str, question: str, names: bool) -> None:
    assert holds_kind("name", sentence, question, NAMES_OF_ONE_WORD) is names


@pytest.mark.parametrize(("sentence", "gives"), [
    ("Dyrrachium was the naval base on the Adriatic.", True),
    ("The stadium is in Allston, across the river.", True),
    ("The stadium is in Social Services Care.", False),  # not a name of one word the collection knows
    ("The Harvard stadium is at Harvard.", False),  # the question's own name
])
def test_a_place_is_a_known_name_after_a_preposition_of_place(sentence: str, gives: bool) -> None:
    assert holds_kind("base", sentence, "Where is the Harvard stadium located?", NAMES_OF_ONE_WORD | {"harvard"}) is gives


@pytest.mark.parametrize(("sentence", "gives"), [
    ("Its response, ‘A child-centred system’, sets out a move away from regulation.", True),
    ('The report, "Working Together", was revised.', True),
    ("An 'early help offer' will be made.", False),  # a phrase in quotes, not a name
    ("The response was published in July.", False),
])
def test_a_title_is_a_capitalised_name_in_quotes(sentence: str, gives: bool) -> None:
    assert holds_kind("title", sentence, "") is gives


@pytest.mark.parametrize(("sentence", "gives"), [
    ("Learn from the approach taken in sectors such as aviation and healthcare.", True),
    ("Charities – including Barnardo’s and Voice – warn of the risks.", True),
    ("The sector learns from aviation.", False),  # one thing, not examples of a kind
])
def test_examples_are_given_such_as_or_including(sentence: str, gives: bool) -> None:
    assert holds_kind("examples", sentence, "") is gives
    assert not kind_is_required("examples", "Which other industries?")  # examples may be listed without saying so


@pytest.mark.parametrize(("sentence", "gives"), [
    ("Babies are taken into care within hours of birth.", True),
    ("The trial will carry on until March 31st 2012.", True),
    ("Some 26 years after Cleveland, little has changed.", True),
    ("There has been a huge rise since the Baby Peter tragedy.", False),
    ("The review was published in 2011.", False),  # a date is no time span
])
def test_a_time_span_answers_how_soon_or_how_long(sentence: str, gives: bool) -> None:
    assert holds_kind("duration", sentence, "") is gives
    assert kind_is_required("duration", "How soon?")  # a sentence without one is evidence against it


@pytest.mark.parametrize(("sentence", "gives"), [
    ("A Midlands based support organisation is to host an event.", True),
    ("Solicitor Brendan Fleming, based in Birmingham, will be interviewed.", True),
    ("Children were removed, based on the conflicting medical evidence.", False),  # based on, not in
    ("There has been a huge rise in Social Services Care Proceedings.", False),
])
def test_a_place_something_is_based_in_answers_where_it_is_based(sentence: str, gives: bool) -> None:
    assert holds_kind("base", sentence, "Where is it based?") is gives


def test_where_something_is_based_is_answered_or_refused(engine: Engine) -> None:
    first = "Which parents' group is hosting the forced adoption screening?"
    assert "Midlands" in engine.ask("Where is it based?", [Turn(first, engine.ask(first).answer)]).answer
    assert_refused(engine.ask("Where is Action for Children based?"), "They don't say where.")
    # "based" in the question asks, and matches nothing: the Tri.x sentences say nothing of where
    assert_refused(engine.ask("Where is Tri.x based?"), "They don't say where.")


def test_a_sentence_spelling_out_an_acronym_counts_as_using_it(engine: Engine) -> None:
    """"A Midlands based support organisation Parents Against Injustice..." never writes PAIN,
    and a sentence that does ("PAIN spokesperson Alison Stevens says ... based on ...") would
    otherwise match every word of the question."""
    assert "Midlands" in engine.ask("where is PAIN based").answer


@pytest.mark.parametrize(("acronym", "text", "spelt"), [
    ("eCAF", "scrap the national electronic common assessment framework (eCAF).", True),
    ("PAIN", "Parents Agains INjustice (PAIN) is a wonderful organization.", True),  # a word may give two letters
    ("DfE", "the Department for Education will", True),  # a small linking word gives a small letter
    ("SCIE", "a Reviewer for the Social Care Institute for Excellence", True),  # ... or is passed over
    ("LSCBs", "Local Safeguarding Children Boards", True),  # a plural acronym
    ("PAIN", "PAIN spokesperson Alison Stevens says", False),  # the acronym itself spells nothing out
    ("eCAF", "the experiences of children and families", False),  # "and" may not give a capital
    ("CWDC", "after consulting with directors of children", False),  # nor may "with"
])
def test_an_acronym_is_spelt_out_by_the_words_it_stands_for(acronym: str, text: str, spelt: bool) -> None:
    assert spells_out(acronym, text) is spelt
    assert holds_kind("expansion", text, f"What does {acronym} stand for?") is spelt


def test_initialisms_are_those_of_runs_of_capitalised_words() -> None:
    spelt = initialisms("Nick is a Reviewer for the Social Care Institute for Excellence, Learning Together model.")
    assert {"scie", "scife", "lt"} <= spelt
    assert "scielt" not in spelt  # a comma ends a run
    assert "cwdc" in initialisms("The government has given the Children’s Workforce Development Council £79.9m.")


@pytest.mark.parametrize(("question", "acronym"), [
    ("In the forced adoption piece, what do the letters PAIN stand for?", "PAIN"),
    ("What is CWDC short for?", "CWDC"),  # no document writes "CWDC": neither retriever finds the passage
])
def test_asked_what_an_acronym_stands_for_the_answer_spells_it_out(engine: Engine, question: str, acronym: str) -> None:
    answer = engine.ask(question)
    assert not answer.abstained
    assert spells_out(acronym, answer.citations[0].quote)


@pytest.mark.parametrize(("text", "names"), [
    ("Action for Children backs Munro report", ["Action for Children"]),  # opening words count here
    ("Shaun Kelly, Head of Safeguarding at Action for Children said:",
     ["Shaun Kelly", "Head of Safeguarding", "Action for Children"]),
    ("Munro said the review was right.", []),  # one capitalised word is no name
    ("The charity warned of cuts.", []),
])
def test_names_in(text: str, names: list[str]) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(("question", "institution"), [
    ("Which university is Munro based at?", "university"), ("which children's charity backed it", "charity"),
    ("What other councils are piloting it?", "councils"),
    ("Which bodies credit Munro?", ""), ("What group hosts the event?", ""),  # any kind of name
    ("Who runs the university?", ""), ("What leaves councils short?", ""),
    ("Which TV channel will show it?", "channel"), ("What radio station covered it?", "station"),
    ("Which broadcaster aired it?", "broadcaster"),
])
def test_institution_asked(question: str, institution: str) -> None:
    assert institution_asked(question) == institution


def test_a_two_part_question_asks_no_single_kind() -> None:
    assert resolve("When was it published?", []).kind == "date"
    two_parts = resolve("When was it published, and who wrote it?", [])
    assert two_parts.kind is None
    assert [two_parts.part(i).kind for i in range(2)] == ["date", "name"]  # each part asks its own


def test_asking_words() -> None:
    assert asking_words("date", "What year was the Cleveland crisis?") == "What year"
    assert asking_words("number", "And how many were there?") == "how many"
    assert asking_words("base", "Where is the charity based?") == "Where based"  # "based" asks, further on


@pytest.mark.parametrize(("question", "reason"), [
    ("When was Action for Children founded?", "They give no such date."),  # the charity is there, its founding not
    ("How old is Shaun Kelly?", "They give no such figure."),  # so is he, his age not
])
def test_a_number_or_date_no_matching_sentence_holds_is_refused(engine: Engine, question: str, reason: str) -> None:
    answer = engine.ask(question)
    assert answer.confidence >= engine.composer.threshold  # refused for what is missing, not for a weak match
    assert_refused(answer, reason)


@pytest.mark.parametrize(("question", "expected"), [
    ("When did the minister brief MPs on progress?", "13 December 2011"),  # "gave an update to Parliament"
    ("By what date should councils have a principal social worker?", "July 2012"),  # "all local authorities"
])
def test_a_paraphrased_number_or_date_question_is_still_answered(engine: Engine, question: str, expected: str) -> None:
    """The dated sentence is worded unlike the question, so it matches fewer of its words than
    an undated one; it still matches enough to be taken as the answer, not as a gap."""
    answer = engine.ask(question)
    assert not answer.abstained
    assert expected in answer.answer


@pytest.mark.parametrize("follow_up", ["When are they meant to be appointed?", "And when should they be in post?"])
def test_a_date_follow_up_is_not_refused_for_the_words_the_last_answer_matches(engine: Engine, follow_up: str) -> None:
    """The previous answer's own sentence matches its words, which the follow-up inherits, far
    better than the sentence giving the date; it is no measure of whether the documents date it."""
    first_q = "What did the Munro review propose about a principal child and family social worker?"
    first = engine.ask(first_q)
    assert "July 2012" not in first.answer
    answer = engine.ask(follow_up, [Turn(first_q, first.answer)])
    assert not answer.abstained
    assert "July 2012" in answer.answer


def test_the_words_that_ask_do_not_count_against_the_answer(engine: Engine) -> None:
    """'26 years after Cleveland' matches "year" but holds no date; the sentence giving 1985 answers."""
    answer = engine.ask("What year was the Cleveland crisis?")
    assert not answer.abstained
    assert "1985" in answer.answer
