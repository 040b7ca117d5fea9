"""What the assistant says in its own words (Swedish), as opposed to what it quotes."""

REFUSAL = "Det framgår inte av dokumenten."
CLOSEST = "Det närmaste jag hittade i dokumenten:"
EMPTY_QUESTION = "Skriv en fråga om föräldraskapsstöd, så söker jag i dokumenten."
NO_DOCUMENTS_MATCH_FILTERS = "Inga dokument matchar de valda filtren."
FOREIGN_QUESTION = "Dokumenten är på svenska, så svaret citerar dem på svenska. Ställ gärna frågan på svenska."
QUESTION_CUT = "Frågan var längre än {limit} tecken; bara början användes."
DENSE_SEARCH_DOWN = "Vektorsökningen svarade inte; svaret bygger bara på ordsökning."

# The generative answerer's notices.
GENERATED = "Svaret är formulerat av en språkmodell utifrån de citerade utdragen."
FALLBACK = "Språkmodellens svar kunde inte beläggas i dokumenten; här är det citerade svaret i stället."
PART_NOT_ANSWERED = "Utdragen besvarar inte den här delen av frågan: ”{part}”."
TIMEOUT = "Språkmodellen svarade inte i tid; här är det citerade svaret i stället."
UNAVAILABLE = "Språkmodellen kunde inte nås; här är det citerade svaret i stället."

# Why the model's answer was not shown (the guard rails' answer-level issue), in plain Swedish.
_FALLBACK_REASONS = {
    "restatement_only": "Språkmodellens svar upprepade bara frågan",
    "fewer_facts_than_extractive": "Språkmodellens svar innehöll färre av de efterfrågade uppgifterna än citaten",
    "answers_nothing_asked": "Språkmodellens svar besvarade inte det som frågan gäller",
    "drops_the_drafts_content": "Språkmodellens svar behövde rättas och utelämnade det mesta som citaten säger",
    "refused_what_the_draft_answers": "Språkmodellen fann inget svar i utdragen, men citaten nedan besvarar frågan",
    "not_swedish": "Språkmodellens svar var inte på svenska",
    "empty": "Språkmodellen gav inget svar",
}


def fallback_notice(issues: list[str]) -> str:
    """Why the extractive answer is shown instead of the model's."""
    for issue in issues:
        if issue in _FALLBACK_REASONS:
            return f"{_FALLBACK_REASONS[issue]}; här är det citerade svaret i stället."
    return FALLBACK


def repaired_notice(restated: int, dropped: int, moved: int, open_parts: int, respelled: int = 0) -> str:
    """What the guard rails changed in the model's answer before it was shown."""
    changes = []
    if restated:
        changes.append(f"{_count(restated, 'mening', 'meningar')} som bara upprepade frågan togs bort")
    if dropped:
        changes.append(f"{_count(dropped, 'mening', 'meningar')} som dokumenten inte stöder togs bort")
    if moved:
        changes.append(f"{_count(moved, 'källhänvisning', 'källhänvisningar')} rättades")
    if respelled:
        changes.append(f"{_count(respelled, 'felstavat ord', 'felstavade ord', neuter=True)} skrevs som i utdragen")
    if open_parts:
        changes.append("det står nu vilken del av frågan utdragen inte besvarar")
    if not changes:
        changes.append("källhänvisningarna rättades")
    text = ", ".join(changes[:-1]) + (" och " if len(changes) > 1 else "") + changes[-1]
    return f"Språkmodellens svar har justerats innan det visades: {text}."


def _count(n: int, one: str, many: str, neuter: bool = False) -> str:
    words = {1: "ett" if neuter else "en", 2: "två", 3: "tre", 4: "fyra"}
    return f"{words.get(n, str(n))} {one if n == 1 else many}"
