"""What a Swedish question asks for, and what a sentence that answers it looks like.

General Swedish only (question words, word order, how dates, numbers, reasons and bodies are
written); nothing here knows the subject of the documents.
"""

from __future__ import annotations

import re
from enum import StrEnum

from swedish.dates import MONTHS
from swedish.names import AGENCY_NAME_RE, ORGANISATION_RE, initialisms
from swedish.numbers import COUNTING_WORD_PATTERN, NUMBER_WORD_PATTERN
from swedish.tokens import STOPWORDS, words


class QuestionType(StrEnum):
    DEFINITION = "definition"  # vad är / betyder / innebär / står … för
    WHO = "who"  # vem, vilken myndighet / instans / grupp
    WHEN = "when"  # när, vilket datum / år, hur länge
    HOW_OFTEN = "how_often"  # hur ofta
    HOW_MANY = "how_many"  # hur många, antal
    AMOUNT = "amount"  # hur mycket, vad kostar, vilket belopp
    LIST = "list"  # vilka …, vad ingår
    WHY = "why"  # varför, av vilken anledning, vad är syftet
    HOW = "how"  # hur ska / kan / arbetar …
    WHERE = "where"  # var finns / ligger
    NAME = "name"  # vad kallas / heter, vilket namn
    COMPARE = "compare"  # skillnad, jämfört
    YES_NO = "yes_no"  # är / har / finns / ska … (verb first)
    OTHER = "other"


# The endings a Swedish noun takes (number, definiteness, genitive), and then the word ends: "regioner",
# "högskolorna", "styrelsens"; not the head of a compound ("regionplaner" is a plan).
NOUN_INFLECTION = r"(?:a|an|or|orna|en|et|er|erna|ar|arna|rna|na|n|r|t|s|ens|ets|ns|ts|rs|ers|ars|ernas|arnas|rnas)?\b"
_BODY_NOUNS = (r"(myndighet|organisation|instans|nämnd|styrelse|förvaltning|aktör|part|grupp|huvudman|"
               r"verksamhet|enhet|kommun|region|funktion|roll|person|befattning|departement|domstol|kommitté)"
               + NOUN_INFLECTION)
_BODY_NOUN_RE = re.compile(rf"\bvilk(?:en|et|a) (?:\w+ )?({_BODY_NOUNS})")


def is_body_noun(word: str) -> bool:
    """"myndighet", "nämnder", "kommunen", "kommunstyrelsens" (a compound is a kind of its last part): a kind of
    body, answered by a body's name ("Socialstyrelsen", "socialnämnden"), which need not repeat the word."""
    match = re.fullmatch(rf"([^\W\d_]*?){_BODY_NOUNS}", word.lower())
    # a last part of four letters may be the end of another word ("kontroll" is no "roll")
    return match is not None and (not match.group(1) or len(match.group(2)) >= 5)


def asked_body_noun(question: str) -> str:
    """The body noun of "Vilket departement …", "Vilka nämnder …" (its base form), or "" (also for a question of
    another type that contains the phrase: "Kan jag vaccinera mig i vilken region jag vill?")."""
    match = _BODY_NOUN_RE.search(main_ask(question).lower())
    return match.group(2) if match and question_type(question) == QuestionType.WHO else ""  # "nämnd" of "nämnder"


def instance_span(noun: str, sentence: str) -> tuple[int, int] | None:
    """Where ``sentence`` first names an instance of ``noun`` as Swedish names one, a compound ending in it
    ("Utbildningsdepartementet" for "departement", "socialnämnden" for "nämnd") or, for "myndighet", an agency's
    name ("Transportstyrelsen ska samråda med Polismyndigheten"), or None."""
    return next(iter(instance_spans(noun, sentence)), None)


def instance_spans(noun: str, sentence: str) -> list[tuple[int, int]]:
    """Every place ``instance_span`` could name, in order: the first compound and each agency's name."""
    noun = noun.lower()
    found = _compound_instance_span(noun, sentence)
    agencies = [m.span() for m in AGENCY_NAME_RE.finditer(sentence)] if noun.startswith("myndighet") else []
    return sorted({*agencies, *([found] if found else [])})


def _compound_instance_span(noun: str, sentence: str) -> tuple[int, int] | None:
    for match in re.finditer(r"[^\W\d_]+(?:-[^\W\d_]+)*", sentence):
        word = match.group(0).lower()
        at = word.rfind(noun)
        # a head of three letters or more; after the noun, an ending of four letters at most
        if at >= 3 and len(word) - at - len(noun) <= 4:
            if word.endswith(noun) and match.group(0).islower():
                continue  # "en nationell regleringsmyndighet" names a kind of body, "socialnämnden" one body
            if match.group(0).islower() and re.search(r"\b(?:den|det|de|denna|detta|dessa|en|ett)\s+(?:[^\W\d_]+\s+)?$",
                                                     sentence[:match.start()], re.IGNORECASE):
                continue  # "den nuvarande centralmyndigheten" describes a body by its role; it names none
            coordinated = re.search(r"[^\W\d_]+-\s+(?:och|eller)\s+$", sentence[:match.start()])
            return (coordinated.start() if coordinated else match.start()), match.end()  # "Hälso- och sjukvårds…"
    return None
_FINITE_VERBS = ("är", "var", "har", "hade", "finns", "fanns", "ska", "skall", "kan", "kunde", "får", "fick", "måste",
                 "bör", "borde", "gäller", "ingår", "behöver", "tar", "följs", "lägger", "kommer", "blir", "blev",
                 "innehåller", "nämns", "nämner", "omfattar", "erbjuds", "erbjuder", "står", "stämmer", "räcker",
                 "används", "krävs", "skiljer", "leder", "säger", "tycker", "vill", "hänger")

_RULES: list[tuple[QuestionType, re.Pattern]] = [(t, re.compile(p)) for t, p in (
    (QuestionType.COMPARE, r"\b(skillnad\w*|skiljer|jämför\w*|likhet\w*|respektive)\b"),
    (QuestionType.WHY, r"^(och )?varför\b|\bav vilken (anledning|orsak)\b|\bvad beror\b.*\bpå\b|"
                       r"\bvad är (syftet|skälet|anledningen|orsaken)\b|\bi vilket syfte\b"),
    (QuestionType.HOW_OFTEN, r"\bhur ofta\b|\bhur regelbundet\b|\bhur många gånger\b|"
                             r"\bmed vilken (frekvens|intervall)"),
    # "Hur mycket har kommunen budgeterat för …?": a verb of spending or paying, a few words after "hur mycket"
    (QuestionType.AMOUNT, r"\bhur mycket (\w+ ){0,4}(kostar|kostade|kosta|pengar|betala\w*|tjäna\w*|får \w+ betalt|"
                          r"budgeter\w*|avsatt\w*|avsätt\w*|satsa\w*|investera\w*|anslagit\w*)\b|"
                          r"\bvad kostar\b|\bvad (\w+ ){1,6}att kosta\b|\bvilket belopp\b|"
                          r"\bvilken (kostnad|avgift|lön|budget)\b|"
                          r"\bhur (stor|höga?|låga?) (är )?(kostnaden|avgiften|lönen|budgeten|beloppet|summan)\b|"
                          r"\bhur (stora?|stort|mycket|höga?|högt|låga?|lågt) (är |var |blir )?(det |den )?"
                          r"\w*(kostnad|avgift|lön|budget|belopp|summa|ersättning|bidrag|pris|vite|böter|arvode|hyra|hyran|skatt|"
                          r"anslag|intäkt|utgift)\w*|\bi kronor\b"),
    # "Hur långt får det vara mellan livbojarna?", "Hur lång dygnsvila …?": a measure is a number with its unit
    (QuestionType.HOW_MANY, r"\bhur många\b|\bhur stor (andel|del)\b|\bantal(et)?\b.*\?$|\bvilken andel\b|"
                            r"\bhur (långt|lång(?! tid)|långa|brett|bred|breda|djupt|djup|tungt|tung)\b|"
                            r"\bhur stort avstånd\b"),
    (QuestionType.WHEN, r"^(och )?när\b|\bvilket (datum|år|månad)\b|\bvilken (dag|tidpunkt|period|vecka)\b|"
                        r"\bhur länge\b|\bsedan när\b|\bsenast när\b|\btill och med när\b|\bfrån och med när\b|"
                        r"\bvilk(a|et) klockslag\b|\bvilken tid på dygnet\b"),
    (QuestionType.WHERE, r"^(och )?(var|vart) (finns|ligger|kan|ska|får|hittar|vänder)\b"),
    # A question that opens with its verb asks yes or no, whatever it holds ("Kan jag vaccinera mig i vilken
    # region jag vill?").
    (QuestionType.YES_NO, rf"^(och )?({'|'.join(_FINITE_VERBS)})\b"),
    (QuestionType.WHO, rf"^(och )?vem\b|^(och )?vems\b|\bvilk(en|et|a) {_BODY_NOUNS}|\bvem (har|bär|tar)\b"),
    (QuestionType.NAME, r"^(och )?vad (kallas|heter|benämns)\b|\b(vilket|under vilket) namn\b"),
    (QuestionType.DEFINITION, r"^(och )?vad (är|betyder|innebär|menas med|avses med|står|menar)\b|"
                              r"\bvad (är|var) (en|ett)\b|\bvad står\b.*\bför\b|\bförklara\b|\bdefiniera\w*\b"),
    (QuestionType.LIST, r"^(och )?vilka\b|\bvad ingår\b|\bvad innehåller\b|\bvad består\b|\bnämn\b|\bräkna upp\b|"
                        r"^(och )?vilken\b|^(och )?vilket\b"),
    (QuestionType.HOW, r"^(och )?hur\b"),
)]


# Nouns that name the kind of answer, not its topic: "Vilket datum …" is answered by a date, a difference
# by "högre än", "mer än", a role ("Vilken roll har kommunerna?") by what they do.
ANSWER_KIND_NOUNS = re.compile(r"(datum|dag|år|månad|vecka|klockslag|tid|tidpunkt|period|antal|belopp|summa|namn|"
                               r"nummer|siffra|procent|andel|storlek|ålder|åldrar|sätt|slag|typ|sort|"
                               r"skillnad|roll|uppgift|funktion|betydelse|innebörd|konsekvens|följd|resultat|pengar|förändring|ändring|"
                               # what one may, must or can do, which a text says with "får", "ska", "kan"
                               r"befogenhet|skyldighet|rättighet|möjlighet|"
                               # "Vilka regler gäller för …": what a rule says, which a regulation says with "ska"
                               r"regel|regler|reglerna|bestämmelse|"
                               # "vilket politiskt organ": any body that decides, named by what it is called
                               r"organ|"
                               # "Vad är huvudinriktningen i betänkandet?": what the text is about is its content
                               r"(?:huvud)?inriktning|fokus|tyngdpunkt|huvuddrag|innehåll)\w{0,3}$")


# "Hur stor är investeringen?": the adjective or adverb after "hur" asks for a degree; it is the question's
# form, not its topic ("stor" would match "En stor del av …").
DEGREE_WORDS = frozenset({
    "stor", "stort", "stora", "liten", "litet", "små", "lång", "långt", "långa", "länge", "gammal", "gammalt",
    "gamla", "ofta", "snabbt", "fort", "tidigt", "sent", "dyr", "dyrt", "hög", "högt", "höga", "låg", "lågt",
    "låga", "mycket", "många", "nära", "djup", "djupt", "bred", "brett", "tung", "tungt", "vanligt", "vanlig",
})


def degree_words_asked(question: str) -> set[int]:
    """Positions (in ``words``) of the degree word right after "hur" ("Hur *stor* är …") and of the verb of a
    change asked about ("Hur mycket ska läckaget *minska*?"): the question's form, which the change with its size
    answers whatever its verb ("ska halveras"), not its topic."""
    found = words(question)
    degree = {i for i in range(1, len(found)) if found[i - 1] == "hur" and found[i] in DEGREE_WORDS}
    if asks_for_a_change(question):
        degree |= {i for i, w in enumerate(found) if _CHANGE_VERB_WORD_RE.match(w)}
    return degree


_COMPARED_RE = re.compile(r"\bskillnad\w* (?:är det |finns det )?(?:mellan|på) (.+?) och (.+?)"
                          r"(?=\s+(?:i|enligt|för|inom|när|hos)\s|[?.!]|$)", re.IGNORECASE)
_ARTICLE_RE = re.compile(r"^(?:en|ett|att|de|den|det)\s+", re.IGNORECASE)


def compared_terms(question: str) -> list[str]:
    """"Vad är skillnaden mellan en arena och en mötesplats?" → ["arena", "mötesplats"]: the two things the
    answer must say something about (without articles); [] for other questions."""
    found = _COMPARED_RE.search(main_ask(question))
    return [_ARTICLE_RE.sub("", term.strip()) for term in found.groups()] if found else []


_DEFINED_RE = re.compile(r"^(?:och )?vad (?:är|betyder|innebär|menas med|avses med|står) (?:en |ett )?"
                         r"(\w[\w-]*(?: (?!för\b|i\b|enligt\b)\w[\w-]*)?)(?: för)?(?: (?:i|enligt) .*)?\?*$",
                         re.IGNORECASE)


def defined_term(question: str) -> str:
    """"Vad betyder underrättelseskyldighet i direktivet …?" → "underrättelseskyldighet", "Vad står ANDTS
    för?" → "ANDTS": the term a definition question asks about; "" for other questions."""
    found = _DEFINED_RE.search(" ".join(main_ask(question).split()))
    return found.group(1) if found else ""


def main_ask(question: str) -> str:
    """The sentence that asks: the first one ending in a question mark when the question also says
    something about the asker ("Jag är gravid. Kan mitt barn skadas av brandröken?"), else the whole text."""
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ])", " ".join(question.split()))
    asking = [s for s in sentences if s.endswith("?")]
    return asking[0] if asking and len(sentences) > 1 else " ".join(question.split())


def question_type(question: str) -> QuestionType:
    """The type of the question's main ask (the first rule that matches, most specific first)."""
    text = main_ask(question).lower()
    for kind, pattern in _RULES:
        if pattern.search(text):
            return kind
    return QuestionType.OTHER


# What evidence of each type looks like in a sentence.
_MONTHS = "|".join(MONTHS)
_NUMBER = rf"(\d+(?:[ ,.]\d+)*|{NUMBER_WORD_PATTERN})"
# Units of money and shares as Swedish texts write them ("100 kr/st", "2,5 mnkr", "3 miljoner kronor", "5 %").
_CURRENCY_UNITS = r"kr|kronor|sek|tkr|mkr|mnkr|msek|euro|eur|€|\$|dollar|miljon\w*|miljard\w*"
_MONEY_UNITS = rf"{_CURRENCY_UNITS}|%|procent"
_NUMBER_WORDS_BIG = r"en|ett|två|tre|fyra|fem|sex|sju|åtta|nio|tio|hundra|tusen"
# A time of day: "kl. 8.30", "klockan 24.00", "17:00" (not a section number such as "4.12").
_CLOCK_TIME = r"(?:\b(?:kl\.?|klockan)\s*\d{1,2}(?:[.:]\d\d)?\b|\b\d{1,2}[.:](?:00|15|30|45)\b(?![.:]\d))"
# How often, as a schedule or an adverb ("årligen", "två gånger per år", "regelbundet").
_FREQUENCY = (rf"\b(årligen|årlig\w*|månatlig\w*|dagligen|daglig\w*|(vecko|månads|kvartals|termins|års|dags)vis\w*|"
              rf"löpande|kontinuerlig\w*|regelbund\w*|fortlöpande|ständigt)\b|"
              rf"\b(varje|var|vart|vartannat|varannan|en gång (per|i|om)|{_NUMBER} gånger (per|i|om)) "
              r"(år|månad|vecka|dag|termin|kvartal|tredje år|\w+ år)\b|\bper (år|månad|vecka|dag|termin|kvartal)\b|"
              # "en gång per mandatperiod", "efter varje ordinarie val": the political cycle of four years
              r"\b(varje|per|en gång per|en gång under|varannan) mandatperiod\b|"
              r"\befter (varje |ordinarie |allmänna )+val\b|"
              # "en gång om året", "två gånger i månaden": Swedish counts per period in the definite form too
              rf"\b(en gång|{_NUMBER} gånger) (i|om) (året|månaden|veckan|dagen|terminen|kvartalet)\b|"
              # "3 ggr/år", "vart 2:a år", "kontrollfristen ska vara sex år", "treårsfrist": a schedule or interval
              rf"\b{_NUMBER}\s*(ggr|gång|gånger)\s*(/|per |i |om )\s*(år|månad|vecka|dag)\b|"
              r"\bvart \d+:[ae] (år|månad|vecka)\b|\b\w+årsfrist\w*|"
              rf"(frist|intervall)\w*\b[^.]{{0,40}}?\b{_NUMBER} (år|månader|veckor|dagar)\b")
# A year, not the year of a reference: "lagen (2010:197)", "prop. 2013/14:104", "SOU 2007:34".
_YEAR = r"(?<![:/])\b(?:19|20)\d\d\b(?![:/]\d)"
# "bilaga 1", "avsnitt 4", "kapitel 2", "punkt 3": the number of a part of a text, not a count.
_AFTER_A_REFERENCE_NOUN = "".join(rf"(?<!\b{noun} )" for noun in (
    "bilaga", "bilagan", "avsnitt", "avsnittet", "kapitel", "kapitlet", "punkt", "punkten", "figur", "tabell",
    "sidan", "sida", "nr", "paragraf", "steg", "fas"))
# How long: "högst 24 månader", "i tre år", "två veckor".
_DURATION_RE = re.compile(rf"\b(?:(?:högst|minst|upp till|i|under|cirka|ungefär) )?{_NUMBER} "
                          r"(?:år|månader|månad|veckor|vecka|dagar|dag|timmar|timme|minuter)\b", re.IGNORECASE)
EVIDENCE: dict[QuestionType, re.Pattern] = {
    QuestionType.WHEN: re.compile(rf"{_YEAR}|\b({_MONTHS})\b|\b(vår|höst|sommar|vinter)(en)?\b|"
                                  rf"\bvecka \d+|\b(inom|efter|under|i) {_NUMBER} (år|månader|veckor|dagar)\b|"
                                  rf"\b(senast|årligen|varje år)\b|{_CLOCK_TIME}"),
    # "återkommande besiktningar" says that they recur: evidence enough not to refuse "hur ofta", no answer.
    QuestionType.HOW_OFTEN: re.compile(rf"{_FREQUENCY}|\båterkommande\b"),
    QuestionType.HOW_MANY: re.compile(rf"{_AFTER_A_REFERENCE_NOUN}(?<![:/])\b{_NUMBER}\b(?![:/]\d)|\d+\s*%|"
                                      r"\b(hälften|majoriteten|samtliga|alla|ingen|inga)\b"),
    QuestionType.AMOUNT: re.compile(rf"\d\s*({_MONEY_UNITS})(?![a-zåäö])|\b({_NUMBER_WORDS_BIG}) ({_MONEY_UNITS})\b|"
                                    r"\b(kostnadsfri\w*|gratis|avgiftsfri\w*|utan kostnad)\b"),
    QuestionType.WHY: re.compile(r"\b(eftersom|därför|på grund av|för att|i syfte|syftet|syftar|vilket innebär|"
                                 r"leder till|bidrar till|orsak\w*|beror på|skälet|anledning\w*|med tanke på|"
                                 r"så att|viktig\w* (för|att)|behövs)\b"),
    QuestionType.WHO: re.compile(rf"{ORGANISATION_RE.pattern}|\b(ansvar\w*|leds av|uppdrag\w*|beslutar|"
                                 rf"fattar beslut|fastställ\w*|samordna\w*|{_BODY_NOUNS})\b"),
    QuestionType.DEFINITION: re.compile(r"\b(är|innebär|betyder|avser|avses|definieras|menas|står för|kallas|"
                                        r"omfattar|handlar om)\b|[–:]"),
}


# "tills barnet fyller 18 år", "fram till 2030", "så länge vården pågår": how long, said as an end.
_UNTIL_RE = re.compile(r"\b(tills|till dess|fram till|så länge|tills vidare|till och med|t\.o\.m\.)\b")


_PERIOD_RE = re.compile(r"\b(?:19|20)\d\d\s*[-–]\s*(?:19|20)\d\d\b")  # "2023 - 2026"


# "När ska den nya skollagen träda i kraft?", "När började föreskrifterna att gälla?", "Från vilket datum gäller
# de nya föreskrifterna?": the question asks when a rule begins to hold.
IN_FORCE_ASK_RE = re.compile(r"\b(?:träda|träder|trädde|trätt) i kraft\b"
                             r"|\bbörja(?:r|t|de)?\b(?:\s+\S+){0,8}?\s+(?:att\s+)?gälla\b"
                             r"|\bgäll(?:er|de|a)\b(?:\s+\S+){0,6}?\s+(?:från|fr\.o\.m\.)(?!\s+och\s+med\s+\S)"
                             r"|\bfrån (?:och med )?(?:vilket datum|när)\b.*\bgäll")
# How the documents say it, to search with: a regulation ends "Denna författning träder i kraft den …".
IN_FORCE_WORDS = "träder i kraft"


def asks_when_in_force(question: str) -> bool:
    """The question asks when a rule comes into force (``IN_FORCE_ASK_RE``)."""
    return IN_FORCE_ASK_RE.search(question.lower()) is not None


def asks_how_long(question: str) -> bool:
    """"Hur länge …?", "Hur lång tid …?": the answer is a length of time (``states_duration``)."""
    return re.search(r"\bhur (länge|lång tid)\b", question.lower()) is not None


def states_duration(sentence: str, specific: bool = False) -> bool:
    """``sentence`` says how long something lasts: a length of time ("högst 24 månader"), an end ("tills
    barnet fyller 18 år"), a period ("2023 - 2026") or, unless ``specific``, a time ("2016") for "Hur länge
    har lagen funnits?"."""
    lowered = sentence.lower()
    patterns = (_DURATION_RE, _UNTIL_RE, _PERIOD_RE) if specific else \
        (_DURATION_RE, _UNTIL_RE, _PERIOD_RE, EVIDENCE[QuestionType.WHEN])
    return any(p.search(lowered) for p in patterns)


# A condition as Swedish states one: a subordinate clause after "om/ifall/såvida/när/då" with its subject ("om det
# inte finns tillräcklig kompetens", "när en arbetstagare drabbas"), "i de fall", "vid behov".
_CONDITION_CLAUSE_RE = re.compile(r"\b(?:om|ifall|såvida|när|då)\s+(?:det|den|de|man|någon|något|några|en|ett|du|ni|vi|"
                                  r"han|hon|inte)\b|\bi (?:de|det|sådana) fall\b|\bvid behov\b", re.IGNORECASE)


def states_condition(sentence: str) -> bool:
    """``sentence`` states when something applies as a condition: "När ska arbetsgivaren anlita
    företagshälsovård?" is answered by "… om det inte finns tillräcklig kompetens …", not by a date."""
    return _CONDITION_CLAUSE_RE.search(sentence) is not None


# A share or a rate, which a percentage answers ("Hur stor är skattesatsen?"); any other amount question asks for
# a sum of money, which "20 procent" is not ("Hur mycket pengar har regeringen avsatt …?").
_RATE_ASK_RE = re.compile(r"\b(procent\w*|andel\w*|\w*sats\w*|ränta\w*|\w*takt|ökning\w*|minskning\w*|höj\w*|"
                          r"sänk\w*)\b")
_SUM_OF_MONEY_RE = re.compile(rf"(?<![\w,.])\d+(?:[ \u00a0]\d{{3}})*(?:[,.]\d+)?\s*({_CURRENCY_UNITS})(?![a-zåäö])|"
                              r"\b(kostnadsfri\w*|gratis|avgiftsfri\w*|utan kostnad)\b", re.IGNORECASE)


def asks_for_a_sum(question: str) -> bool:
    """An amount question that a sum of money answers, not a percentage."""
    return question_type(question) == QuestionType.AMOUNT and not _RATE_ASK_RE.search(question.lower())


def states_a_sum(sentence: str) -> bool:
    return _SUM_OF_MONEY_RE.search(sentence) is not None


# "Hur mycket ska energianvändningen … minska?", "Med hur mycket har utsläppen ökat?", "Hur stor minskning …?": by
# how much something changes, which the change said with its size answers ("ska minska med 12 % till 2014"), not
# the quantity itself ("var 2009 13 508 MWh"). Not a verb of purpose ("Hur mycket satsas för att minska …?").
_CHANGE_VERBS = r"(?:minsk|ök|sänk|höj|reducer|halver|fördubbl|förbättr|försämr|stig|steg|sjunk|sjönk)"
_CHANGE_VERB_WORD_RE = re.compile(rf"^{_CHANGE_VERBS}(?:a|as|at|ats|ad|ade|ades|s|t|te|tes|er|es|de|des|it)?$")
_CHANGE_ASK_RE = re.compile(rf"\bhur mycket\b(?:\s+[\wåäö-]+){{0,10}}?\s+(?<!för att ){_CHANGE_VERBS}\w*\b|"
                            r"\bmed hur mycket\b|"
                            r"\bhur (?:stor|kraftig) (?:minskning|ökning|sänkning|höjning|reduktion)\b", re.IGNORECASE)
# A size: a number with a unit or a share ("12 %", "2 000 ton", "tio procentenheter"), never a bare year.
_SIZE = (r"(?:(?:minst|högst|drygt|knappt|cirka|ca|omkring|runt|upp till|mer än|mindre än|över|under)\s+)?"
         rf"(?!(?:19|20)\d\d\b(?!\s*(?:%|procent)))(?:\d+(?:[ ,.]\d+)*|(?:{COUNTING_WORD_PATTERN})\b)\s*"
         r"(?:%|procent\w*|(?!(?:och|till|år|jämfört|från|per|i|av|under|fram)\b)[a-zåäöA-ZÅÄÖ²³/]+)")
_BY_YEAR = r"(?:\s+(?:till|fram till|före|senast|till år)\s+(?:år\s+)?(?:19|20)\d\d)?"
_CHANGE_RE = re.compile(rf"\b{_CHANGE_VERBS}\w*\s+(?:med\s+|till\s+)?{_SIZE}{_BY_YEAR}"
                        rf"(?:\s*(?:,|och)\s+{_SIZE}{_BY_YEAR})*|"
                        rf"\b{_SIZE}\s+(?:lägre|högre|mindre|mer|färre|fler)\b|\b(?:halver|fördubbl)\w*",
                        re.IGNORECASE)


_DOWN_RE = re.compile(r"\b(?:minsk|sänk|reducer|halver|sjunk|sjönk|lägre|mindre|färre)\w*", re.IGNORECASE)
_UP_RE = re.compile(r"\b(?:ök|höj|fördubbl|stig|steg|högre|mer|fler)\w*", re.IGNORECASE)


def _direction(text: str) -> str:
    return "down" if _DOWN_RE.search(text) else "up" if _UP_RE.search(text) else ""


def asks_for_a_change(question: str) -> bool:
    """By how much something is to change or has changed (not a sum of money)."""
    return _CHANGE_ASK_RE.search(question) is not None and question_type(question) != QuestionType.AMOUNT


def change_span(sentence: str, question: str = "") -> tuple[int, int] | None:
    """Where ``sentence`` states a change with its size ("minska med 12 % till 2014 och 25 % till 2020"), in the
    direction the question asks about, if it names one ("minska" is not answered by "50 procent mer")."""
    asked = _CHANGE_ASK_RE.search(question)
    wanted = _direction(asked.group(0)) if asked else ""
    for match in _CHANGE_RE.finditer(sentence):
        if not wanted or _direction(match.group(0)) in (wanted, ""):
            return match.span()
    return None


def states_answer_type(kind: QuestionType, sentence: str) -> bool:
    """``sentence`` holds the kind of fact ``kind`` asks for (True for types without a pattern)."""
    pattern = EVIDENCE.get(kind)
    return pattern is None or bool(pattern.search(sentence.lower() if kind != QuestionType.WHO else sentence))


# Sentence openings that lean on the sentence before ("Därför …", "Detta innebär …", "Dessa …").
ANAPHORIC_START_RE = re.compile(
    r"^(därför|därmed|detta|det här|dessa|de här|denna|denne|så|då|sådana|sådan|det innebär|vilket|"
    r"den|de|dem|det|här|även|också|dessutom|men|samtidigt|istället|i stället)\b", re.IGNORECASE)


# A consequence adverb after the verb, as Swedish word order puts it ("En ny plan behöver därför tas fram"):
# the reason is the sentence before. Not "därför att" (because), which gives the reason itself.
_CONSEQUENCE_RE = re.compile(r"^(?:[\w,-]+\s+){1,5}(därför|därmed|således|alltså)\b(?!\s+att\b)", re.IGNORECASE)


def leans_on_previous(sentence: str) -> bool:
    """The sentence starts with a word that points back ("Därför förekommer …", "Detta innebär …") or
    draws a consequence of the sentence before ("En ny energiplan behöver därför tas fram …")."""
    text = sentence.strip().lstrip("•-–*0123456789. ")
    return bool(ANAPHORIC_START_RE.match(text) or _CONSEQUENCE_RE.match(text))


_NUMBER_RE = re.compile(_NUMBER)
_WH_HEAD_RE = re.compile(r"\b(?:vilken|vilket|vilka|hur många|hur mycket|vem är|vem var|vad heter|hur stora?|hur stort|"
                         r"hur höga?|hur högt|vad blir)\s+"
                         r"((?:[\wåäöé-]+\s+){0,2}[\wåäöé-]+)")
_ABOUT_RE = re.compile(r"\b(?:säger|står|skriver|nämner|nämns|sägs|tar .{0,20} upp|och)\b[^.!?]{0,60}?\bom\s+(.+)$")
# "Vilka nya regler om skolskjuts …?", "Vilka åtgärder för klimatanpassning …?": what the asked-for things are
# about is the word after the preposition right after the noun (not a verb's "om": "Vilka sanktioner kan MSB
# besluta om …", nor a condition: "om man blir sjuk", nor a purpose: "för att …").
_WH_ABOUT_RE = re.compile(r"^(?:och )?vilk(?:a|en|et) (?:[\wåäö]+(?:a|t) )?[\wåäö]+ (?:om|för|mot|kring) "
                          r"(?!(?:man|jag|du|vi|ni|de|den|det|han|hon|hen|att)\b)([\wåäö-]+)")
_STATE_ASK_RE = re.compile(r"^(?:och )?(?:när|(?:till |från |senast )?vilk(?:et|en) (?:år|datum|månad|tidpunkt)) "
                           r".{0,60}\b(?:vara|bli|blir|vara helt|bli helt) ([\wåäöé-]+)$")
# "Vilket år …", "Vilket datum …": the noun names the kind of answer (a time), not what the question is about.
_TIME_NOUNS = frozenset({"år", "datum", "månad", "tidpunkt", "dag", "vecka"})
# "När ska planen vara klar?", "Vilket datum ska svaret vara inne?": a state any task reaches names no topic.
_GENERAL_STATES = frozenset({"klar", "klart", "klara", "färdig", "färdigt", "färdiga", "inne", "ute", "igång", "kvar",
                             "tillbaka", "aktuell", "aktuellt", "aktuella", "möjlig", "möjligt", "redo", "slut",
                             "över"})
# A modal verb and its subject before an infinitive ("Hur mycket skulle det kosta …"): what follows is a verb.
_MODAL = (r"\b(?:ska|skall|skulle|kommer|kan|kunde|bör|borde|får|fick|måste|behöver)"
          r"(?: (?:det|den|de|man|vi|jag|du|ni))? (?:att )?")
_ADJECTIVE_ENDINGS = ("a", "t", "iska", "ska", "ella", "liga", "igt")
# Comparatives and words of order before a noun ("vilka äldre föreskrifter", "vilka tidigare beslut"): they
# narrow the noun, which is what is asked for.
_COMPARING_ADJECTIVES = frozenset({"äldre", "yngre", "större", "mindre", "högre", "lägre", "bättre", "sämre",
                                   "tidigare", "senare", "nyare", "fler", "färre", "nuvarande", "kommande",
                                   "gällande", "nästa", "förra"})


def counted_noun(question: str) -> str:
    """The noun "hur många" counts: "Hur många kommuner …" → "kommuner"; past "av de" and adjectives
    ("Hur många av de nationella miljökvalitetsmålen …" → "miljökvalitetsmålen"); the verb when there is no
    noun ("Hur många finns det?" → "finns"); "" without "hur många"."""
    match = re.search(r"\bhur många ((?:av )?(?:de |dem |dessa |alla )?)(\w+(?: \w+)?(?: \w+)?)", question.lower())
    if not match:
        return ""
    found = match.group(2).split()
    if not match.group(1):
        return found[0]  # "hur många nya …": as before, the word right after
    for i, word in enumerate(found):
        if i + 1 < len(found) and word.endswith(_ADJECTIVE_ENDINGS):
            continue
        return word
    return found[0]


# Verbs that follow "vilka" when it is the subject ("Vilka tog initiativ …"), not a noun it asks about.
_SUBJECT_VERBS = frozenset(_FINITE_VERBS) | {
    "tog", "gjorde", "gör", "fick", "gav", "ger", "sa", "sade", "kom", "gick", "deltog", "deltar", "ansvarar",
    "arbetar",
    "beslutade", "beslutar", "leder", "ledde", "brukar", "saknade", "saknar", "lyfte", "lyfter", "räknas"}


# "Hur behandlas öroninflammation …", "Hur upplöses föreningen?": the subject of a passive verb is what is asked
# about (its first word after the verb).
_PASSIVE_SUBJECT_RE = re.compile(r"^(?:och )?hur (?:\w+ )?(?:\w{3,}(?<!ss)s) ([\wåäöé-]{3,})")
# "Vad kostar ett årskort på simhallen?", "Hur mycket kostar systemet?": what costs is what the question is about
# (an amount in the documents is no answer unless they name the thing).
_PRICED_RE = re.compile(r"^(?:och )?(?:vad|hur mycket) (?:kostar|kostade)\b"
                        r"(?: (?:en |ett |det |den |de |själva )?(?!det\b|att\b)([\wåäöé-]{3,}))?")
# "Vad kommer ett årskort på badhuset att kosta?": the thing priced before the verb.
_PRICED_LATER_RE = re.compile(r"^(?:och )?(?:vad|hur mycket) (?:kommer|ska|skulle|bör|får) (?:en |ett |det |den |de )?"
                              r"(?!det\b|att\b|kosta\b)([\wåäöé-]{3,})\b.*\bkosta\b")
# "Vad rekommenderas vid depression?", "Hur länge behandlar man vid lunginflammation?": the situation the
# question is about.
_CONDITION_RE = re.compile(r"^(?:och )?(?:vad|hur|vilk(?:en|et|a)|när|vem)\b.{0,60}?\bvid\s+(.+)$")
# "Vilken roll har näringslivet?", "Vilka biverkningar har metylfenidat?": what has it is what the question is
# about.
_ROLE_OF_RE = re.compile(r"\bvilk(?:en|et|a) (?:roll|uppgift|uppgifter|funktion|betydelse|biverkningar|effekt|"
                         r"effekter|risker|fördelar|nackdelar) (?:har|spelar|fyller|får|ger) "
                         r"(?!(?:det|den|de|dem|man|vi|ni|du|jag|han|hon|dessa|detta)\b)(.+)$")  # not "har det visat"
# "… vid depression hos ungdomar": who has it narrows the situation; the situation is what must be named.
_NARROWING_RE = re.compile(r"\s(?:hos|bland|inom)\s.*$")
# "… när det gäller antibiotikaresistens än …", "Vad gäller för … beträffande X": Swedish marks the topic of a
# question with these as with "om"; the topic ends where a comparison or a new clause begins.
_TOPIC_MARKER_RE = re.compile(r"\b(?:när det gäller|vad gäller|i fråga om|beträffande|angående|med avseende på)\s+"
                              r"(.+?)(?=\s+(?:än|som|och|men|eller|för att|så att|när|om)\b|,|$)")
# "Hur mycket minskade den totala antibiotikaförsäljningen …?", "Hur mycket ska energianvändningen … minska?": what
# changes is the question's subject, after the verbs and the adjectives before it.
_CHANGE_SUBJECT_RE = re.compile(r"^(?:och )?hur mycket (?:(?:ska|skall|har|hade|kommer|kan|bör|skulle|väntas|beräknas|"
                                rf"förväntas|att|{_CHANGE_VERBS}\w*) )*(?:(?:den|det|de|en|ett) )?(?:[\wåäö]+a )?"
                                r"([\wåäöé-]{4,})")


def asked_for(question: str, stopwords: frozenset[str]) -> tuple[list[str], list[str]]:
    """What a question asks about, by Swedish grammar: the head noun of its question phrase
    ("Vilken svarsfrekvens …", "Hur många timmar …", "Vem är ordförande …") and the topic after "om"
    in "Vad säger … om X?" / "Och om X?", the one with the role in "Vilken roll har X?" or the situation in
    "Vad rekommenderas vid X?"."""
    text = _plain(question)
    heads: list[str] = []
    priced = _PRICED_RE.search(text) or _PRICED_LATER_RE.search(text)
    match = _WH_HEAD_RE.search(text) if not priced else None  # "hur mycket kostar": "kostar" is no noun
    if match:
        # "Vilka två myndigheter …", "Vilka av de sju komponenterna …": a number counts the things asked for
        candidates = [w for w in match.group(1).split() if w not in stopwords and not _NUMBER_RE.fullmatch(w)]
        for i, word in enumerate(candidates):
            if word in _TIME_NOUNS or word in _SUBJECT_VERBS or re.search(r"(ade|ades|ats|des|tes)$", word) \
                    or re.search(rf"\b{re.escape(word)} sig\b", text) \
                    or re.search(rf"{_MODAL}{re.escape(word)}\b", text):
                break  # "Vilka tog …", "Hur många deltog …", "Vilka vänder sig till …", "skulle det kosta": no noun
            if i + 1 < len(candidates) and (word.endswith(_ADJECTIVE_ENDINGS) and not word.endswith("et")
                                            or word in _COMPARING_ADJECTIVES) \
                    and f"{word} {candidates[i + 1]}" in text:
                continue  # "vilket praktiskt problem": the noun follows its adjective (not "straffet om …")
            if not re.search(rf"\b{re.escape(word)} eller \w", text):  # "Vilka brister eller frågor …": either
                heads.append(word)
            break
    if priced and priced.group(1) and priced.group(1) not in stopwords:
        heads.append(priced.group(1))
    passive = _PASSIVE_SUBJECT_RE.search(text) if not heads and not priced else None
    if passive and passive.group(1) not in stopwords:
        heads.append(passive.group(1))
    state = _STATE_ASK_RE.search(text) if not heads else None
    if state and state.group(1) not in stopwords and state.group(1) not in _GENERAL_STATES:
        heads.append(state.group(1))  # "När ska kommunen vara fossilfri?": the state is what is asked after
    # "Vad innebär konfidentialitet?", "Vad är Lagrummet?": the term is what is asked after, when the question is
    # nothing but it and where to read it ("Vad innebär hamnstatskontroll enligt direktivet?"); not an acronym,
    # which has rules of its own.
    defined = defined_term(question).split() if not heads and text.startswith(("vad ", "och vad ")) else []
    if defined and re.search(rf"{re.escape(' '.join(defined).lower())}(?: (?:i|enligt) .*)?$", text) \
            and not defined[-1].isupper() and len(defined[-1]) >= 3 and defined[-1].lower() not in stopwords:
        heads.append(defined[-1])
    subject = _CHANGE_SUBJECT_RE.search(text) if asks_for_a_change(question) else None
    if subject and subject.group(1) not in stopwords and not re.match(_CHANGE_VERBS, subject.group(1)):
        heads = [subject.group(1)]  # "Hur mycket har den svenska livsmedelsproduktionen ökat": not "svenska"
    about = _ABOUT_RE.search(text) or _WH_ABOUT_RE.search(text)
    topic = _words_of(about.group(1), stopwords) if about else asked_situation(question, stopwords)
    marked = _TOPIC_MARKER_RE.search(text) if not topic else None
    if marked:
        topic = _words_of(marked.group(1), stopwords)[:2]
    return heads, topic


def asks_what_has(question: str) -> bool:
    """"Vilken roll har kommunerna?", "Vilka biverkningar har metylfenidat?": the question names who or what has
    it, so the answer is what it is, not a body's name."""
    return _ROLE_OF_RE.search(_plain(question)) is not None


def asked_situation(question: str, stopwords: frozenset[str]) -> list[str]:
    """The situation a question is about ("Vad rekommenderas vid depression hos ungdomar?" → depression) or what
    has what it asks for ("Vilka biverkningar har metylfenidat?"), as words; [] if it names none."""
    text = _plain(question)
    found = _ROLE_OF_RE.search(text) or _CONDITION_RE.search(text)
    return _words_of(found.group(1), stopwords) if found else []


def _plain(question: str) -> str:
    """The question in lower case, without its question mark, single-spaced: what the phrase patterns read."""
    return " ".join(question.lower().replace("?", " ").split())


def _words_of(phrase: str, stopwords: frozenset[str]) -> list[str]:
    """The first content words of a phrase, without what narrows it ("… hos ungdomar")."""
    return [w for w in _NARROWING_RE.sub("", phrase).split()[:4] if w not in stopwords]


# "23 §", "4 kap.": the number of a paragraph or chapter of a law, not a count.
# nor "2014:23" of "(NFS 2014:23)", "2013/14", nor the number of a list's item ("2. Ungdomen ska ha …"), nor a page
# of so many ("6(7)")
_NOT_A_REFERENCE = r"(?!\d|[:/]\d|\s*(?:§|kap\b)|[.)]\s+[A-ZÅÄÖ]|\(\d+\))"

# The short answer itself, as written in a sentence: a date, a number with its unit, a frequency, a body.
_SPAN_PATTERNS: dict[QuestionType, re.Pattern] = {
    QuestionType.WHEN: re.compile(rf"\b(19|20)\d\d-\d\d-\d\d\b|\b\d{{1,2}} ({_MONTHS})( (19|20)\d\d)?\b|"
                                  rf"\b({_MONTHS}) (19|20)\d\d\b|\b(19|20)\d\d\s*[–-]\s*(19|20)\d\d\b|{_YEAR}|"
                                  rf"{_CLOCK_TIME}(?:\s*(?:[–-]|och)\s*\d{{1,2}}[.:]\d\d)?"),
    QuestionType.HOW_MANY: re.compile(rf"(?:{_AFTER_A_REFERENCE_NOUN}"
                                      rf"(?<![\w,.:/])(?<!\d\()\d+(?:[ \u00a0]\d{{3}})*(?:[,.]\d+)?(?:\s*[–-]\s*\d+)?"
                                      rf"{_NOT_A_REFERENCE}|"
                                      rf"\b(?:{COUNTING_WORD_PATTERN})\b)(?: av (?:\d+|{COUNTING_WORD_PATTERN}))?"
                                      # "44 miljoner flygresenärer": a word for a big number and what it counts
                                      r"(?:\s*%|\s+procent|\s+(?:(?:miljon|miljoner|miljard|miljarder|tusen|hundra)"
                                      r"\s+)?(?!och\b|av\b|i\b)[a-zåäö]+)?", re.IGNORECASE),
    # "525 miljoner kronor": a word for a big number and the currency after it
    QuestionType.AMOUNT: re.compile(rf"(?<![\w,.])\d+(?:[ \u00a0]\d{{3}})*(?:[,.]\d+)?\s*({_MONEY_UNITS})"
                                    r"(?:(?<=[nrd])\s+(?:kronor|kr|euro|dollar)\b)?(?:/[a-zåäö]+)?(?![a-zåäö])"),
    QuestionType.HOW_OFTEN: re.compile(_FREQUENCY),  # "regelbundet" when that is all the text says
    QuestionType.WHO: ORGANISATION_RE,
}


_ADVERBS = frozenset({"ofta", "också", "även", "ibland", "numera", "vanligen", "vanligtvis", "oftast", "idag", "nu",
                      "alltså", "därför", "fortfarande", "redan", "sedan", "inte"})
# A name as Swedish gives it: "går under namnet familjefokuserade hembesök", "kallas för X", "heter X".
_NAMED_AS_RE = re.compile(r"\b(?:under (?:namnet|benämningen|beteckningen)|kallas(?: för)?|heter|benämns(?: som)?)\s+"
                          r"[”\"']?(?P<name>[^.,;:!?()\[\]”\"'\n]{2,60}?)[”\"']?\s*"
                          r"(?=[.,;:!?()\[]|\s+(?:och|som|där|men|eftersom)\b|$)")  # "[2]": a reference


def answer_span(kind: QuestionType, sentence: str, question: str) -> tuple[int, int] | None:
    """Where ``sentence`` states the short answer a question of ``kind`` asks for (not a span the
    question itself already says), or None."""
    if kind == QuestionType.NAME:
        for match in _NAMED_AS_RE.finditer(sentence):
            name = match.group("name").strip()
            first = name.split()[0].lower() if name else ""
            if first in STOPWORDS or first in _ADVERBS:
                continue  # "kallas ofta …", "heter det": no name
            if name.lower() not in question.lower() and len(name.split()) <= 6:
                start = match.start("name") + match.group("name").index(name)
                return start, start + len(name)
        return None
    body = asked_body_noun(question) if kind == QuestionType.WHO else ""
    if body:  # "Vilket departement …": a compound ending in "departement" names one
        for span in instance_spans(body, sentence):
            found = sentence[span[0]:span[1]]
            if found.lower() not in question.lower() and not _named_by_initials(found, question):
                return span
    pattern = _SPAN_PATTERNS.get(kind)
    if pattern is None:
        return None
    asked = question.lower()
    if kind == QuestionType.WHEN and asks_how_long(asked):
        for duration in _DURATION_RE.finditer(sentence):  # "Hur länge gäller planen?" → "högst 24 månader"
            deadline = re.search(r"\b(inom|efter|före|senast)\s+$", sentence[:duration.start()])
            if not deadline and duration.group(0).lower() not in asked:  # "inom ett år" says when, not how long
                return duration.span()
        if not re.search(r"\bhur länge har\b", asked):
            return None  # "Hur länge har lagen funnits?" is answered by the year it came; "Hur länge ska …" is not
    matches = list(pattern.finditer(sentence))
    if kind == QuestionType.WHEN:
        # a year in brackets cites a document ("bilaga V i KOM (2018) 375"); the sentence's other dates go first
        matches.sort(key=lambda m: sentence[max(0, m.start() - 1):m.end() + 1] == f"({m.group(0)})")
    for match in matches:
        found = match.group(0).strip()
        if kind == QuestionType.AMOUNT and re.search(r"(%|procent)$", found) and asks_for_a_sum(question):
            continue  # "Hur mycket pengar …?" is not answered by "20 procent"
        if kind == QuestionType.HOW_MANY and re.match(r"(?:19|20)\d\d\b", found) \
                and re.search(rf"\b{found[:4]}\b", asked):
            continue  # "Hur många … år 2040?": the year the question states is no count
        interval = _DURATION_RE.search(found) if kind == QuestionType.HOW_OFTEN and \
            re.match(r"(frist|intervall)", found, re.IGNORECASE) else None
        if interval:  # "kontrollfristen ska vara sex år" → "sex år"
            return match.start() + interval.start(), match.start() + interval.end()
        if kind == QuestionType.WHO and found.split()[0].lower() in STOPWORDS:
            continue  # "Den kommun …", "En kommun …" name no body
        named = kind == QuestionType.WHO and _named_by_initials(found, question)
        if found and found.lower() not in asked and not named:
            return match.start(), match.start() + len(found)
    return None


def _named_by_initials(name: str, question: str) -> bool:
    """The question names ``name`` by its initials ("Med vilka myndigheter har MSB samrått?" names "Myndigheten för
    samhällsskydd och beredskap"): it is the one asking, not the answer."""
    asked = {a.lower() for a in re.findall(r"\b[A-ZÅÄÖ]{2,6}\b", question)}
    return bool(asked & initialisms(name))


# A second ask joined to the first: "…, och vem hade det före?", "… samt hur ofta …", or a second question.
_NEXT_ASK_RE = re.compile(r"(?:,\s*|\s+)(?:och|samt)\s+"
                          r"(?=(?:när|vem|vems|vilken|vilket|vilka|hur|var|vart|vad|varför)\b)|\?\s+(?=\S)",
                          re.IGNORECASE)


def question_parts(question: str) -> list[str]:
    """The asks of a question, each on its own ("När … och vem …?" → ["När …", "vem …"]); one part for a
    question with one ask."""
    parts = [p.strip(" ,?!.\n") for p in _NEXT_ASK_RE.split(question)]
    return [p for p in parts if len(p.split()) >= 2] or [question.strip()]


# A body or a name as an answer to "vem / vilken grupp": an acronym ("MFoF"), a capitalised word inside the
# sentence ("… av Länsstyrelsen"), or a word ending in a body noun ("arbetsgruppen", "styrgruppen").
_BODY_OR_NAME_RE = re.compile(rf"\b[A-ZÅÄÖ]\w*[A-ZÅÄÖ]\w*|(?<=[\w,] )[A-ZÅÄÖ][a-zåäöé]+|(?i:\b\w*{_BODY_NOUNS})")


def evidence_spans(kind: QuestionType, sentence: str, question: str) -> list[str]:
    """Every fact of the kind ``kind`` asks for that ``sentence`` states and the question does not: dates,
    numbers, frequencies, amounts; for "vem / vilken grupp" bodies and names."""
    asked = question.lower()
    # For "hur många" only a count: the general pattern also takes "en"/"ett", which are mostly articles.
    general = EVIDENCE.get(kind) if kind != QuestionType.HOW_MANY else None
    patterns = [p for p in (_SPAN_PATTERNS.get(kind), general) if p is not None]
    if kind == QuestionType.WHO:
        patterns.append(_BODY_OR_NAME_RE)
    found: list[str] = []
    for pattern in patterns:
        text = sentence if kind == QuestionType.WHO or pattern is not EVIDENCE.get(kind) else sentence.lower()
        for match in pattern.finditer(text):
            span = match.group(0).strip()
            if span and span.lower() not in asked and span.lower() not in (f.lower() for f in found):
                found.append(span)
    return found


_ENUMERATION_RE = re.compile(r"[\wåäöé][^,.;:?!]*,\s*[\wåäöé][^,.;:?!]*(?:,|\boch\b|\beller\b)|"
                             r"^\s*(?:[-*•]|\d{1,2}[.)])\s")
_ASKS_FOR_A_LIST_RE = re.compile(r"^(och )?vilka\b|\bvad ingår\b|\bnämn\b|\bräkna upp\b")


_SECOND_ASK_RE = re.compile(r"\boch (?:vad|vilk(?:en|et|a)|när|hur|vem|var|varför)\b", re.IGNORECASE)


def asks_two_things(question: str) -> bool:
    """"Vilken myndighet har fått uppdraget, och vilka aktörer ska den samråda med?": a second question word
    after "och" asks a second thing, which one short answer or one sentence's share of the words cannot
    cover."""
    return _SECOND_ASK_RE.search(question) is not None


def asks_for_a_list(question: str) -> bool:
    """"Vilka …", "Vad ingår …": the answer is several things (not "Vilken …", which asks for one)."""
    return bool(_ASKS_FOR_A_LIST_RE.search(question.strip().lower()))


def enumerates(sentence: str) -> bool:
    """The sentence lists things ("Svenska kyrkan, studieförbund och …", or a list item): an answer to "vilka …"."""
    return bool(_ENUMERATION_RE.search(sentence)) or ("," in sentence and len(sentence.split()) <= 8)
