"""The misfire set: ordinary questions a user asks, each labelled with how it should be read and what the
bold short answer should say (written before the readers they score were changed; data only).

The corpus (`benchmarks.misfire.make_corpus`): the sample briefing (July 2025) and its January 2026 update
(`benchmarks.over_time`'s edits: Mexico third trading partner, Alicia Barcena Ibarra, 12 percent of wheat, a
consulate in Monterrey, the US/LNG paragraph removed); three Factbook tune-split profiles as 2025 and 2026
editions (Australia's population 27,812,400 in 2026, Burma's President MIN AUNG HLAING, Algeria's head of
government line removed); nine more tune-split profiles as they are (Peru, Norway, Egypt, Cuba, Qatar,
Morocco, Kazakhstan, Mongolia, New Zealand).

Each item: the split ("tune" chooses weights; "heldout" never chooses anything and is the headline), the
reading ("plain", "change", "as_of", "comparison", "followup"), the question, the text the bold answer must
hold (None: no bold is expected, any bold on an answerable question is not scored; on a question that must
be refused any bold is wrong), whether the corpus answers it, the earlier questions, and the filters.
The held-out half uses other wordings and, where it can, other countries than the tune half.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Item:
    split: str
    reading: str
    question: str
    bold: str | None
    answerable: bool = True
    history: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    group: str = ""  # what the item probes (for the per-group table)
    tags: tuple[str, ...] = field(default=())


def _facts(split: str, rows: list[tuple[str, str]], group: str) -> list[Item]:
    return [Item(split, "plain", q, b, group=group) for q, b in rows]


# --- plain questions about the profiles, everyday wordings -------------------------------------------------
PLAIN_TUNE = _facts(
    "tune",
    [
        ("What is the population of Peru?", "32,768,614"),
        ("How many people live in Norway?", "5,509,733"),
        ("What is the capital of Egypt?", "Cairo"),
        ("Which city is the capital of Cuba?", "Havana"),
        ("Who is the president of Egypt?", "EL-SISI"),
        ("Who is the king of Norway?", "HARALD V"),
        ("Who is the prime minister of New Zealand?", "LUXON"),
        ("What currency does Qatar use?", "rial"),
        ("What is the highest point in Peru?", "Huascaran"),
        ("When did Morocco become independent?", "1956"),
        ("What does Mongolia export?", "coal"),
        ("How big is Kazakhstan?", "2,724,900"),
        ("Who heads the government of Morocco?", "AKHANNOUCH"),
        ("What is the capital of Mongolia?", "Ulaanbaatar"),
        ("What is the population of Qatar?", "2,568,426"),
        ("Who is the chief of state of Kazakhstan?", "TOKAYEV"),
        ("What is the highest mountain in Norway?", "Galdhopiggen"),
        ("What are Cuba's main exports?", "tobacco"),
        ("When did Qatar gain independence?", "1971"),
        ("What is the total area of Egypt?", "1,001,450"),
        ("What is the population of Australia?", "27,812,400"),
        ("Who is the president of Burma?", "MIN AUNG HLAING"),
        ("What is the capital of Algeria?", "Algiers"),
        ("Who is the president of Algeria?", "TEBBOUNE"),
        ("What is Australia's capital city?", "Canberra"),
        ("What currency is used in Kazakhstan?", "tenge"),
        ("What does New Zealand export?", "milk"),
        ("Who is Cuba's head of state?", "DIAZ-CANEL"),
        ("What is the highest point of Morocco?", "Toubkal"),
        ("What is the area of Peru?", "1,285,216"),
    ],
    "profile facts",
)
PLAIN_HELDOUT = _facts(
    "heldout",
    [
        ("How many inhabitants does Cuba have?", "10,059,519"),
        ("How populous is Morocco?", "37,387,585"),
        ("Where is the seat of government of Peru?", "Lima"),
        ("Which city serves as Norway's capital?", "Oslo"),
        ("Who leads Qatar as head of state?", "TAMIM"),
        ("Who is Egypt's prime minister?", "MADBOULY"),
        ("Which money is used in Morocco?", "dirham"),
        ("What is the tallest peak in Kazakhstan?", "Khan-Tengri"),
        ("In what year did Peru declare independence?", "1821"),
        ("What goods does Qatar sell abroad?", "natural gas"),
        ("How large is Mongolia in square kilometres?", "1,564,116"),
        ("Who is the head of government in Norway?", "STORE"),
        ("Name the capital of New Zealand.", "Wellington"),
        ("How many people live in Egypt today?", "112,870,457"),
        ("Who is Mongolia's president?", "KHURELSUKH"),
        ("What is the highest elevation in Cuba?", "Turquino"),
        ("Which products does Peru export?", "copper"),
        ("When was New Zealand's independence?", "1907"),
        ("What is the total area of Norway in square kilometres?", "323,802"),
        ("How many people live in Australia?", "27,812,400"),
        ("Who holds the presidency of Burma?", "MIN AUNG HLAING"),
        ("What city is Algeria's capital?", "Algiers"),
        ("Who is Algeria's head of state?", "TEBBOUNE"),
        ("Which city is Australia's capital?", "Canberra"),
        ("What is Kazakhstan's capital?", "Astana"),
        ("What does Egypt export most?", "refined petroleum"),
        ("Who governs Cuba as prime minister?", "MARRERO"),
        ("What is Morocco's currency called?", "dirham"),
        ("Which mountain is the highest in Mongolia?", "Khuiten"),
        ("What is the population of Kazakhstan?", "20,432,662"),
    ],
    "profile facts",
)

# --- plain questions about the Russia–Mexico briefings ------------------------------------------------------
SAMPLE_TUNE = _facts(
    "tune",
    [
        ("Which minister represented Russia at the meeting?", "Lavrov"),
        ("Where was the BRICS summit held?", "Rio de Janeiro"),
        ("What does Mexico supply to Russia?", "coffee"),
        ("Who is Mexico's foreign minister?", "Barcena"),
        ("What share of wheat exports to Mexico does Russia hold?", "12 percent"),
        ("In which energy field does cooperation continue besides oil?", "nuclear"),
        ("What do Russian exports to Mexico include?", "fertilisers"),
        ("Where did Russia open a consulate?", "Monterrey"),
        ("What extraction technologies does Russia offer Mexico?", "lithium"),
        ("Which summit did Lavrov attend?", "BRICS"),
    ],
    "briefing facts",
)
SAMPLE_HELDOUT = _facts(
    "heldout",
    [
        ("Who met the Mexican foreign minister?", "Lavrov"),
        ("In which city did the BRICS summit take place?", "Rio de Janeiro"),
        ("What products does Russia buy from Mexico?", "coffee"),
        ("Who represents Mexico as foreign minister?", "Barcena"),
        ("What percentage of Mexico's wheat imports comes from Russia?", "12 percent"),
        ("Besides oil, which energy cooperation goes on?", "nuclear"),
        ("What does Russia sell to Mexico?", "fertilisers"),
        ("In which Mexican city is the new Russian consulate?", "Monterrey"),
        ("Which Russian technology may be in demand in Mexico?", "lithium"),
        ("As what was Mexico invited to the BRICS summit?", "observer"),
    ],
    "briefing facts",
)

# --- plain questions whose topic words look like commands ("change", "new", "latest", "compare", …) --------------
TOPIC_TUNE = [
    Item("tune", "plain", "What do the briefings say about climate change?", None, group="topic words"),
    Item("tune", "plain", "What is the capital of New Zealand?", "Wellington", group="topic words"),
    Item("tune", "plain", "What new technologies could Russia bring to Mexico?", "lithium", group="topic words"),
    Item("tune", "plain", "What is the latest population figure for Peru?", "32,768,614", group="topic words"),
    Item("tune", "plain", "What is the exchange rate currency of Norway?", "kroner", group="topic words"),
    Item(
        "tune", "plain", "What is the newest area of cooperation between Russia and Mexico?", None, group="topic words"
    ),
    Item(
        "tune",
        "plain",
        "Which updates to its refining facilities does Mexico get from Russia?",
        None,
        group="topic words",
    ),
    Item(
        "tune",
        "plain",
        "What is the difference between Mexico's exports and imports with Russia?",
        None,
        group="topic words",
    ),
    Item("tune", "plain", "How is climate change affecting Egypt?", None, group="topic words"),
    Item("tune", "plain", "What are the latest prospects in the energy green transition?", None, group="topic words"),
    Item("tune", "plain", "Who is the new foreign minister of Mexico?", "Barcena", group="topic words"),
    Item("tune", "plain", "What is the current population of Australia?", "27,812,400", group="topic words"),
    Item("tune", "plain", "Which countries does Kazakhstan trade with the most?", None, group="topic words"),
    Item("tune", "plain", "What changed in Mexico's relations with the US?", None, group="topic words"),
    Item("tune", "plain", "What is the version of Norway's national anthem called?", None, group="topic words"),
    Item("tune", "plain", "Compare Mexico's role in BRICS: is it a member?", None, group="topic words"),
    Item("tune", "plain", "What changes in temperature does Mongolia's climate have?", None, group="topic words"),
    Item("tune", "plain", "Which report says Mexico buys US LNG?", None, group="topic words"),
    Item("tune", "plain", "What does the update say about wheat?", "12 percent", group="topic words"),
    Item("tune", "plain", "Since when has Morocco been independent?", "1956", group="topic words"),
    Item("tune", "plain", "What is new about Russia's wheat exports to Mexico?", "12 percent", group="topic words"),
    Item("tune", "plain", "Which briefing mentions the BRICS summit?", None, group="topic words"),
    Item(
        "tune",
        "plain",
        "What are the different sectors of cooperation between Russia and Mexico?",
        None,
        group="topic words",
    ),
    Item("tune", "plain", "What versus what does Mexico trade with Russia?", None, group="topic words"),
    Item("tune", "plain", "Since the summit, what have Russia and Mexico discussed?", None, group="topic words"),
]
TOPIC_HELDOUT = [
    Item("heldout", "plain", "What do the briefings report on climate change in Morocco?", None, group="topic words"),
    Item("heldout", "plain", "Who is New Zealand's head of government?", "LUXON", group="topic words"),
    Item("heldout", "plain", "Which new sectors interest Russian companies in Mexico?", None, group="topic words"),
    Item("heldout", "plain", "What is the most recent population of Norway?", "5,509,733", group="topic words"),
    Item("heldout", "plain", "How does Qatar's currency exchange against the dollar?", "rial", group="topic words"),
    Item("heldout", "plain", "What is the latest on Russian LNG proposals?", None, group="topic words"),
    Item("heldout", "plain", "Who is the newly appointed foreign minister of Mexico?", "Barcena", group="topic words"),
    Item("heldout", "plain", "What is Australia's population now?", "27,812,400", group="topic words"),
    Item(
        "heldout", "plain", "What are Egypt's environmental issues, such as climate change?", None, group="topic words"
    ),
    Item("heldout", "plain", "How does climate change threaten Peru?", None, group="topic words"),
    Item(
        "heldout",
        "plain",
        "Which changes to the contractual-legal framework did Lavrov discuss?",
        None,
        group="topic words",
    ),
    Item("heldout", "plain", "What is different about Mexico's BRICS status?", "observer", group="topic words"),
    Item("heldout", "plain", "What do the updates say about pharmaceuticals?", None, group="topic words"),
    Item("heldout", "plain", "Since 2019, who has been Algeria's president?", "TEBBOUNE", group="topic words"),
    Item("heldout", "plain", "What's new in Mexico's wheat imports from Russia?", "12 percent", group="topic words"),
    Item("heldout", "plain", "Which briefing talks about nuclear energy?", None, group="topic words"),
    Item(
        "heldout",
        "plain",
        "What are the newest industries for cooperation, like artificial intelligence?",
        None,
        group="topic words",
    ),
    Item(
        "heldout",
        "plain",
        "Compare the trade structure: what does Russia export to Mexico?",
        "fertilisers",
        group="topic words",
    ),
    Item("heldout", "plain", "Who is the current king of Morocco?", "MOHAMMED VI", group="topic words"),
    Item(
        "heldout", "plain", "What is the newest Russian diplomatic office in Mexico?", "Monterrey", group="topic words"
    ),
    Item(
        "heldout",
        "plain",
        "How have Mexico's political relations with the US been described?",
        "difficult",
        group="topic words",
    ),
    Item("heldout", "plain", "What do the reports say about the investment treaty?", None, group="topic words"),
    Item("heldout", "plain", "Which updated refining equipment does Russia supply?", None, group="topic words"),
    Item("heldout", "plain", "What is Mongolia's climate like, and has it changed?", None, group="topic words"),
    Item(
        "heldout",
        "plain",
        "Versus Brazil, where does Mexico rank as Russia's trading partner?",
        "third",
        group="topic words",
    ),
]

# --- questions asking what changed between updates ------------------------------------------------------------
CHANGE_TUNE = [
    Item("tune", "change", q, None, group="change")
    for q in (
        "What changed since the last update?",
        "What's new in the January 2026 update?",
        "What changed in the Russia–Mexico briefing since July 2025?",
        "How does the latest Russia, Mexico briefing differ from the previous one?",
        "What is different in the 2026 edition of Australia?",
        "What was revised in the newest Burma profile?",
        "Which sentences changed between the two Russia–Mexico updates?",
        "What did the January 2026 update add?",
        "What was removed from the Russia–Mexico briefing in the new update?",
        "List the changes in the Algeria profile since the 2025 edition.",
        "Show me what changed in the latest Australia edition.",
        "What has been updated in the Russia, Mexico, Bilateral Relations series?",
        "Has anything changed in the Burma profile since 2025?",
        "What are the differences between the 2025 and 2026 editions of Algeria?",
        "What changed between the July 2025 and January 2026 updates?",
    )
]
CHANGE_HELDOUT = [
    Item("heldout", "change", q, None, group="change")
    for q in (
        "What's different since the previous update?",
        "What did the newest Russia–Mexico update change?",
        "Which edits were made to Burma's profile in 2026?",
        "How has the Australia profile been revised since last year?",
        "Summarise the changes in the Algeria 2026 edition.",
        "What new information appeared in the January update?",
        "What was taken out of the Russia–Mexico briefing since July?",
        "Tell me how the 2026 Burma edition differs from 2025.",
        "Which lines of Australia's profile are new in 2026?",
        "Is there anything new in the latest Russia, Mexico update?",
        "What got updated in the Algeria profile?",
        "Compared with the previous briefing, what changed?",
        "What differs between the two editions of the Australia profile?",
        "Which facts were revised in the January 2026 Russia–Mexico update?",
        "What changed in Burma's 2026 edition compared with 2025?",
    )
]

# --- questions asked as of a date ---------------------------------------------------------------------------------
AS_OF_TUNE = [
    Item(
        "tune",
        "as_of",
        "What did the briefings say in July 2025 about Mexico's foreign minister?",
        "Fuente",
        group="as of",
    ),
    Item("tune", "as_of", "As of 2025, who was the president of Burma?", "MIN AUNG HLAING", group="as of"),
    Item("tune", "as_of", "What was Australia's population as of 2025?", "27,490,921", group="as of"),
    Item(
        "tune",
        "as_of",
        "What did the updates say in 2025 about wheat exports to Mexico?",
        "significant share",
        group="as of",
    ),
    Item(
        "tune",
        "as_of",
        "As of July 2025, where did Mexico rank among Russia's trading partners?",
        "second",
        group="as of",
    ),
    Item("tune", "as_of", "What was reported in 2025 about Algeria's head of government?", "GHRIEB", group="as of"),
    Item("tune", "as_of", "According to the briefings of July 2025, who met Lavrov?", "Fuente", group="as of"),
    Item("tune", "as_of", "At the end of 2025, what did the briefings say about LNG?", None, group="as of"),
    Item("tune", "as_of", "As of 2025, what was the population of Australia?", "27,490,921", group="as of"),
    Item(
        "tune",
        "as_of",
        "What did the 2025 briefings say about Russia's share of wheat exports?",
        "significant share",
        group="as of",
    ),
    Item("tune", "as_of", "As of mid-2025, who was Mexico's foreign minister?", "Fuente", group="as of"),
    Item(
        "tune",
        "as_of",
        "What did the profiles state in 2025 about Burma's president?",
        "MIN AUNG HLAING",
        group="as of",
    ),
]
AS_OF_HELDOUT = [
    Item(
        "heldout",
        "as_of",
        "Back in July 2025, who was Mexico's foreign minister according to the briefings?",
        "Fuente",
        group="as of",
    ),
    Item("heldout", "as_of", "What was Burma's chief of state as of 2025?", "MIN AUNG HLAING", group="as of"),
    Item(
        "heldout",
        "as_of",
        "How many people lived in Australia according to the 2025 edition?",
        "27,490,921",
        group="as of",
    ),
    Item(
        "heldout",
        "as_of",
        "As of July 2025, what share of wheat exports to Mexico did Russia hold?",
        "significant share",
        group="as of",
    ),
    Item(
        "heldout",
        "as_of",
        "What did the briefings report in 2025 about Mexico's rank as a trading partner?",
        "second",
        group="as of",
    ),
    Item("heldout", "as_of", "Who was Algeria's prime minister as of 2025?", "GHRIEB", group="as of"),
    Item("heldout", "as_of", "What did the July 2025 update say about Mexico buying US LNG?", None, group="as of"),
    Item("heldout", "as_of", "As at the end of 2025, what was Australia's population?", "27,490,921", group="as of"),
    Item(
        "heldout",
        "as_of",
        "What were the briefings saying in 2025 about the foreign minister of Mexico?",
        "Fuente",
        group="as of",
    ),
    Item(
        "heldout",
        "as_of",
        "By 2025, who did the profiles name as Burma's acting president?",
        "MIN AUNG HLAING",
        group="as of",
    ),
    Item(
        "heldout",
        "as_of",
        "In the 2025 briefings, where did Mexico stand among Russia's Latin American trading partners?",
        "second",
        group="as of",
    ),
    Item("heldout", "as_of", "As of 2025, which prime minister led Algeria?", "GHRIEB", group="as of"),
]

# --- comparisons of two named sides -------------------------------------------------------------------------------
COMPARISON_TUNE = [
    Item("tune", "comparison", q, None, group="comparison")
    for q in (
        "Which has a larger population, Peru or Norway?",
        "Which is bigger, Egypt or Morocco?",
        "Is Cuba more populous than Qatar?",
        "Which country has more people, Kazakhstan or Mongolia?",
        "Which is larger in area, Peru or Egypt?",
        "Does Norway have a larger population than New Zealand?",
        "Which has the higher highest point, Peru or Morocco?",
        "Which is more populous, Australia or Algeria?",
        "Which is smaller, Qatar or Cuba?",
        "Which country is larger, Mongolia or Kazakhstan?",
        "Is Egypt larger than Algeria?",
        "Which has fewer people, Norway or Cuba?",
    )
]
COMPARISON_HELDOUT = [
    Item("heldout", "comparison", q, None, group="comparison")
    for q in (
        "Who has more inhabitants, Morocco or Peru?",
        "Which covers more land, Norway or New Zealand?",
        "Is Qatar smaller than Egypt?",
        "Which of Mongolia and Cuba is bigger?",
        "Which nation is more populous, Egypt or Australia?",
        "Does Kazakhstan have more people than Peru?",
        "Which has the larger area, Algeria or Mongolia?",
        "Which is less populous, New Zealand or Norway?",
        "Is Morocco bigger than Norway?",
        "Which country is home to more people, Cuba or Kazakhstan?",
        "Which is larger, Australia or Egypt?",
        "Which has a smaller population, Qatar or Mongolia?",
    )
]

# --- follow-ups, and pronouns or a history that are not follow-ups ------------------------------------------------
FOLLOWUP_TUNE = [
    Item(
        "tune", "followup", "What about Norway?", "Oslo", history=("What is the capital of Peru?",), group="follow-up"
    ),
    Item(
        "tune", "followup", "And Egypt?", "112,870,457", history=("What is the population of Cuba?",), group="follow-up"
    ),
    Item(
        "tune",
        "followup",
        "What about its capital?",
        "Lima",
        history=("What is the population of Peru?",),
        group="follow-up",
    ),
    Item(
        "tune",
        "followup",
        "And who is its prime minister?",
        "STORE",
        history=("Who is the king of Norway?",),
        group="follow-up",
    ),
    Item(
        "tune",
        "followup",
        "What about agriculture?",
        "wheat",
        history=("What sectors hold the greatest potential for bilateral relations?",),
        group="follow-up",
    ),
    Item("tune", "followup", "And Mongolia?", "coal", history=("What does Kazakhstan export?",), group="follow-up"),
    Item("tune", "followup", "How about Qatar?", "rial", history=("What currency does Egypt use?",), group="follow-up"),
    Item(
        "tune",
        "followup",
        "What about its area?",
        "1,001,450",
        history=("What is the capital of Egypt?",),
        group="follow-up",
    ),
    Item(
        "tune",
        "followup",
        "And in Morocco?",
        "Toubkal",
        history=("What is the highest point in Peru?",),
        group="follow-up",
    ),
    Item(
        "tune",
        "followup",
        "What does it export?",
        "tobacco",
        history=("What is the capital of Cuba?",),
        group="follow-up",
    ),
    Item(
        "tune",
        "plain",
        "Who is the president of Egypt?",
        "EL-SISI",
        history=("What is the capital of Peru?",),
        group="history, not a follow-up",
    ),
    Item(
        "tune",
        "plain",
        "What is the population of Qatar?",
        "2,568,426",
        history=("Who is the king of Norway?",),
        group="history, not a follow-up",
    ),
    Item("tune", "plain", "Is there a national anthem of Cuba?", None, group="pronoun, no follow-up"),
    Item("tune", "plain", "What is it that Mexico supplies to Russia?", "coffee", group="pronoun, no follow-up"),
    Item("tune", "plain", "Where does it say that Russia has lithium technology?", None, group="pronoun, no follow-up"),
    Item(
        "tune",
        "plain",
        "What is that treaty Russia and Mexico may develop?",
        "investment",
        group="pronoun, no follow-up",
    ),
    Item(
        "tune",
        "plain",
        "Who is the king of Morocco?",
        "MOHAMMED VI",
        history=("What does Mongolia export?", "What is the capital of Cuba?"),
        group="history, not a follow-up",
    ),
    Item(
        "tune",
        "plain",
        "What does Mexico buy from the US, refine and sell on to the European Union?",
        "LNG",
        group="pronoun, no follow-up",
    ),
]
FOLLOWUP_HELDOUT = [
    Item("heldout", "followup", "And Morocco?", "Rabat", history=("What is the capital of Egypt?",), group="follow-up"),
    Item(
        "heldout",
        "followup",
        "What about Kazakhstan?",
        "20,432,662",
        history=("How many people live in Mongolia?",),
        group="follow-up",
    ),
    Item(
        "heldout",
        "followup",
        "Who is its head of state?",
        "TAMIM",
        history=("What is the capital of Qatar?",),
        group="follow-up",
    ),
    Item(
        "heldout",
        "followup",
        "And its population?",
        "5,161,211",
        history=("Who is the prime minister of New Zealand?",),
        group="follow-up",
    ),
    Item(
        "heldout",
        "followup",
        "What about energy?",
        "nuclear",
        history=("What sectors hold the greatest potential for bilateral relations?",),
        group="follow-up",
    ),
    Item("heldout", "followup", "How about Peru?", "copper", history=("What does Cuba export?",), group="follow-up"),
    Item(
        "heldout",
        "followup",
        "And for Kazakhstan?",
        "tenge",
        history=("What currency does Mongolia use?",),
        group="follow-up",
    ),
    Item(
        "heldout",
        "followup",
        "What is its highest point?",
        "Galdhopiggen",
        history=("What is the capital of Norway?",),
        group="follow-up",
    ),
    Item("heldout", "followup", "And Cuba's?", "Havana", history=("What is Egypt's capital?",), group="follow-up"),
    Item(
        "heldout",
        "followup",
        "When did it become independent?",
        "1971",
        history=("Who is the emir of Qatar?",),
        group="follow-up",
    ),
    Item(
        "heldout",
        "plain",
        "Who is the prime minister of Morocco?",
        "AKHANNOUCH",
        history=("What is the population of Peru?",),
        group="history, not a follow-up",
    ),
    Item(
        "heldout",
        "plain",
        "What currency does Kazakhstan use?",
        "tenge",
        history=("Who is the president of Egypt?",),
        group="history, not a follow-up",
    ),
    Item("heldout", "plain", "Is it true that Mexico is a BRICS member?", "observer", group="pronoun, no follow-up"),
    Item(
        "heldout",
        "plain",
        "There are Russian exports to Mexico: what are they?",
        "fertilisers",
        group="pronoun, no follow-up",
    ),
    Item(
        "heldout",
        "plain",
        "What does it mean that the framework is contractual-legal?",
        None,
        group="pronoun, no follow-up",
    ),
    Item(
        "heldout",
        "plain",
        "That consulate Russia opened: in which city is it?",
        "Monterrey",
        group="pronoun, no follow-up",
    ),
    Item(
        "heldout",
        "plain",
        "Which city is the capital of Mongolia?",
        "Ulaanbaatar",
        history=("Who is the king of Norway?", "What does Peru export?"),
        group="history, not a follow-up",
    ),
    Item("heldout", "plain", "Which minister did Lavrov meet at the summit?", "Fuente", group="pronoun, no follow-up"),
]

# --- subjects the corpus lacks: refuse, with no bold --------------------------------------------------------------
ABSENT_TUNE = [
    Item("tune", "plain", q, None, answerable=False, group="absent subject")
    for q in (
        "What is the population of France?",
        "Who is the Chinese ambassador to Mexico?",
        "What is the capital of Brazil?",
        "Who is the president of France?",
        "What is Russia's GDP growth forecast for 2026?",
        "What is the population of Mexico?",
        "Who is the prime minister of Japan?",
        "What currency does Chile use?",
        "How many people live in Germany?",
        "What is Argentina's highest point?",
        "Who is the German chancellor?",
        "What does Vietnam export?",
        "What is the capital of Kenya?",
        "When did India become independent?",
        "Who is the US ambassador to Russia?",
    )
]
ABSENT_HELDOUT = [
    Item("heldout", "plain", q, None, answerable=False, group="absent subject")
    for q in (
        "How many inhabitants does Italy have?",
        "Who is the Brazilian foreign minister?",
        "Which city is the capital of Canada?",
        "Who leads Spain as prime minister?",
        "What is the inflation rate in Russia?",
        "What is Mexico's total area?",
        "Who is the president of South Korea?",
        "What currency is used in Thailand?",
        "What is the population of Sweden?",
        "What is the highest mountain in Chile?",
        "Who is the Indian prime minister?",
        "What does Ghana export?",
        "Where is the capital of Nigeria?",
        "When did Ukraine gain independence?",
        "Who is the Mexican ambassador to China?",
    )
]

# --- misspelt names: answered as if spelt right ---------------------------------------------------------------------
MISSPELT_TUNE = _facts(
    "tune",
    [
        ("Who is the Russian foreign minister Lavorv?", "Lavrov"),
        ("What is the capital of Mongolai?", "Ulaanbaatar"),
        ("What is the population of Norwey?", "5,509,733"),
        ("Who is the president of Egipt?", "EL-SISI"),
        ("What does Kazakstan export?", "crude petroleum"),
        ("What currency does Quatar use?", "rial"),
        ("Who is the king of Marocco?", "MOHAMMED VI"),
        ("What is the capital of Algeira?", "Algiers"),
    ],
    "misspelt name",
)
MISSPELT_HELDOUT = _facts(
    "heldout",
    [
        ("Which minister did Lavrob meet?", "Fuente"),
        ("How many people live in Peeru?", "32,768,614"),
        ("Who is the prime minister of New Zeland?", "LUXON"),
        ("What is the capital of Kubba?", "Havana"),
        ("When did Morrocco become independent?", "1956"),
        ("Who is the president of Kazahkstan?", "TOKAYEV"),
        ("What is the highest point in Mongollia?", "Khuiten"),
        ("Who is the prime minister of Norvay?", "STORE"),
    ],
    "misspelt name",
)

# --- other languages: a clear message, no bold ------------------------------------------------------------------------
LANGUAGE_TUNE = [
    Item("tune", "plain", q, None, answerable=False, group="other language")
    for q in (
        "Какова численность населения России?",
        "¿Cuál es la capital de México?",
        "Quelle est la capitale du Pérou ?",
        "Wer ist der Präsident von Ägypten?",
        "Qual é a população da Noruega?",
        "Chi è il re del Marocco?",
        "Кто министр иностранных дел Мексики?",
        "¿Qué exporta Cuba?",
    )
]
LANGUAGE_HELDOUT = [
    Item("heldout", "plain", q, None, answerable=False, group="other language")
    for q in (
        "Сколько людей живёт в Перу?",
        "¿Quién es el presidente de Egipto?",
        "Quelle est la population de la Norvège ?",
        "Was exportiert die Mongolei?",
        "Qual é a capital do Cazaquistão?",
        "Qual è la moneta del Qatar?",
        "Какая столица у Кубы?",
        "¿Dónde se celebró la cumbre de los BRICS?",
    )
]

# --- filters that leave the answer out: refuse, saying what was searched ---------------------------------------------
FILTER_TUNE = [
    Item(
        "tune",
        "plain",
        "What is the capital of Peru?",
        None,
        False,
        doc_ids=("profiles/no-norway.md",),
        group="filters exclude",
    ),
    Item(
        "tune",
        "plain",
        "Who is the president of Egypt?",
        None,
        False,
        doc_ids=("rm-2025-07.txt",),
        group="filters exclude",
    ),
    Item(
        "tune",
        "plain",
        "What does Mexico supply to Russia?",
        None,
        False,
        doc_ids=("profiles/cu-cuba.md",),
        group="filters exclude",
    ),
    Item(
        "tune", "plain", "Where did Russia open a consulate?", None, False, date_to="2025-12", group="filters exclude"
    ),
    Item(
        "tune",
        "plain",
        "What is the population of Qatar?",
        None,
        False,
        doc_ids=("profiles/mo-morocco.md", "profiles/pe-peru.md"),
        group="filters exclude",
    ),
    Item(
        "tune",
        "plain",
        "Who is the king of Norway?",
        "HARALD V",
        True,
        doc_ids=("profiles/no-norway.md",),
        group="filters include",
    ),
    Item(
        "tune", "plain", "Who is Mexico's foreign minister?", "Fuente", True, date_to="2025-12", group="filters include"
    ),
    Item(
        "tune",
        "plain",
        "What is the capital of Cuba?",
        "Havana",
        True,
        doc_ids=("profiles/cu-cuba.md", "profiles/eg-egypt.md"),
        group="filters include",
    ),
]
FILTER_HELDOUT = [
    Item(
        "heldout",
        "plain",
        "What is the capital of Brazil?",
        None,
        False,
        doc_ids=("rm-2025-07.txt",),
        group="filters exclude",
    ),
    Item(
        "heldout",
        "plain",
        "Who is the king of Morocco?",
        None,
        False,
        doc_ids=("profiles/qa-qatar.md",),
        group="filters exclude",
    ),
    Item(
        "heldout",
        "plain",
        "Which minister represented Russia at the meeting?",
        None,
        False,
        doc_ids=("profiles/pe-peru.md",),
        group="filters exclude",
    ),
    Item(
        "heldout",
        "plain",
        "What share of wheat exports does Russia hold?",
        None,
        False,
        doc_ids=("profiles/kz-kazakhstan.md",),
        group="filters exclude",
    ),
    Item(
        "heldout",
        "plain",
        "How many people live in Mongolia?",
        None,
        False,
        doc_ids=("profiles/nz-new-zealand.md", "profiles/eg-egypt.md"),
        group="filters exclude",
    ),
    Item(
        "heldout",
        "plain",
        "What is the capital of Egypt?",
        "Cairo",
        True,
        doc_ids=("profiles/eg-egypt.md",),
        group="filters include",
    ),
    Item(
        "heldout",
        "plain",
        "Who is Mexico's foreign minister?",
        "Barcena",
        True,
        date_from="2026",
        group="filters include",
    ),
    Item(
        "heldout",
        "plain",
        "What does Peru export?",
        "copper",
        True,
        doc_ids=("profiles/pe-peru.md", "profiles/no-norway.md"),
        group="filters include",
    ),
]

ITEMS: tuple[Item, ...] = (
    *PLAIN_TUNE, *PLAIN_HELDOUT, *SAMPLE_TUNE, *SAMPLE_HELDOUT, *TOPIC_TUNE, *TOPIC_HELDOUT,
    *CHANGE_TUNE, *CHANGE_HELDOUT, *AS_OF_TUNE, *AS_OF_HELDOUT, *COMPARISON_TUNE, *COMPARISON_HELDOUT,
    *FOLLOWUP_TUNE, *FOLLOWUP_HELDOUT, *ABSENT_TUNE, *ABSENT_HELDOUT, *MISSPELT_TUNE, *MISSPELT_HELDOUT,
    *LANGUAGE_TUNE, *LANGUAGE_HELDOUT, *FILTER_TUNE, *FILTER_HELDOUT,
)  # fmt: skip
