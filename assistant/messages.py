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
REPAIRED = ("Språkmodellens svar har justerats: meningar som dokumenten inte stöder har tagits bort "
            "eller fått rätt källhänvisning.")
FALLBACK = "Språkmodellens svar kunde inte beläggas i dokumenten; här är det citerade svaret i stället."
TIMEOUT = "Språkmodellen svarade inte i tid; här är det citerade svaret i stället."
UNAVAILABLE = "Språkmodellen kunde inte nås; här är det citerade svaret i stället."
