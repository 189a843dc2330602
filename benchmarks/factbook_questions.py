"""The Factbook question bank: profile fields, each with several wordings of a question about a country.

Written before any of it was run against the held-out countries. A wording names `{c}`, the country
as its profile's title writes it. The gold is read from the profile, never written by hand: the line
under the field's `### heading` whose `**label:**` is the one named (the field's first line when no
label is named), and its value (the line less its label and a closing parenthesis such as
"(2024 est.)"). Everyday wordings share no word with the field's name on purpose: "How many people
live in {c}?" asks for the population.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    heading: str  # the `### heading` of the field in a profile
    label: str | None  # the `**label:**` of the line that answers; None: the field's first line
    kind: str  # what the short answer should be: "number", "person", "place", "date", "list", "text"
    wordings: tuple[str, ...]


FIELDS: tuple[Field, ...] = (
    Field("Population", "total", "number", (
        "What is the population of {c}?",
        "How many people live in {c}?",
        "How many inhabitants does {c} have?",
        "How populous is {c}?",
    )),
    Field("Capital", "name", "place", (
        "What is the capital of {c}?",
        "Which city is the capital of {c}?",
        "Where is the seat of government of {c}?",
    )),
    Field("Area", "total", "number", (
        "What is the total area of {c}?",
        "How big is {c}?",
        "How many square kilometres does {c} cover?",
    )),
    Field("Executive branch", "chief of state", "person", (
        "Who is the chief of state of {c}?",
        "Who is the head of state of {c}?",
        "Who is {c}'s head of state?",
    )),
    Field("Executive branch", "head of government", "person", (
        "Who is the head of government of {c}?",
        "Who leads the government of {c}?",
    )),
    Field("Exchange rates", "Currency", "text", (
        "What currency does {c} use?",
        "What money is used in {c}?",
    )),
    Field("Coastline", None, "number", (
        "How long is the coastline of {c}?",
        "How many kilometres of coast does {c} have?",
    )),
    Field("Climate", None, "text", (
        "What is the climate of {c}?",
        "What is the weather like in {c}?",
    )),
    Field("Natural resources", None, "list", (
        "What are the natural resources of {c}?",
        "What raw materials does {c} have?",
    )),
    Field("Life expectancy at birth", "total population", "number", (
        "What is the life expectancy in {c}?",
        "How long do people in {c} live on average?",
    )),
    Field("Median age", "total", "number", (
        "What is the median age in {c}?",
        "How old is the typical person in {c}?",
    )),
    Field("Exports - commodities", None, "list", (
        "What are the main exports of {c}?",
        "What does {c} export?",
        "What goods does {c} sell abroad?",
    )),
    Field("Imports - commodities", None, "list", (
        "What are the main imports of {c}?",
        "What goods does {c} buy from abroad?",
    )),
    Field("Elevation", "highest point", "place", (
        "What is the highest point in {c}?",
        "What is the tallest mountain in {c}?",
    )),
    Field("Languages", "Languages", "list", (
        "What languages are spoken in {c}?",
        "What language do people speak in {c}?",
    )),
    Field("Religions", None, "list", (
        "What religions are practised in {c}?",
        "What faiths do people in {c} follow?",
    )),
    Field("Land boundaries", "border countries", "list", (
        "Which countries border {c}?",
        "What are the neighbouring countries of {c}?",
    )),
    Field("Government type", None, "text", (
        "What is the government type of {c}?",
        "What kind of government does {c} have?",
    )),
    Field("National anthem(s)", "title", "text", (
        "What is the national anthem of {c}?",
        "What song is {c}'s anthem?",
    )),
    Field("Independence", None, "date", (
        "When did {c} become independent?",
        "When did {c} gain its independence?",
    )),
    Field("GDP (official exchange rate)", None, "number", (
        "What is the GDP of {c}?",
        "How large is the economy of {c}?",
    )),
    Field("Median age", "female", "number", (
        "What is the median age of women in {c}?",
    )),
    Field("Life expectancy at birth", "male", "number", (
        "What is the male life expectancy in {c}?",
        "How long do men in {c} live?",
    )),
)  # fmt: skip
