"""Swedish words, stop words, stems and compound parts.

Swedish writes compounds as one word ("föräldraskapsstödsprogram"), so a search for
"program för föräldraskapsstöd" would miss it with plain stemming. ``SwedishAnalyzer`` also
emits the parts of compounds it can split with a lexicon (the indexed documents' own words).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Collection, Iterable
from functools import cached_property, lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_SWEDISH

_WORD_RE = re.compile(r"[0-9]+(?:[–-][0-9]+)?|[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)
# bm25s's Swedish list plus common function words it lacks.
STOPWORDS = frozenset(STOPWORDS_SWEDISH) | {
    "ska", "samt", "även", "bland", "annat", "också", "hos", "genom", "enligt", "kring", "via", "trots", "inför",
    "mer", "mest", "bara", "just", "redan", "dock", "alltså", "sådan", "vilken", "första", "först", "hand",
    "bra", "mycket", "lite", "egen", "egna",
    "måste", "bör", "borde", "får", "fick", "vill", "ville", "kunna", "göra", "gör", "gjorde", "blir", "bli",
    # the light verbs' other forms: "När ska inventeringen göras?" is not answered by "… görs före den 15 juli"
    "görs", "göras", "gjort", "gjorts", "gjordes", "haft", "fått",
}
_MIN_PART = 3
_HEAD_MIN = 4
_TAIL_MIN = 5  # a shorter word ends too many compounds by chance ("are", "ning")
_HEAD_MIN_OF_COMPOUND = 3
# Swedish noun and adjective endings a stem may keep ("-et" of "departementet", "-er" of "strategier").
_INFLECTIONS = ("", "n", "t", "en", "et", "ar", "er", "or", "na", "s", "ens", "ets", "arna", "erna", "orna", "ns", "ts")
_LINKS = ("s", "")  # Swedish linking morphemes between compound parts (föräldraskap-s-stöd)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("swedish")


_VOWELS = frozenset("aeiouyåäöé")


# Strong verbs change their vowel, so Snowball gives their past tense and supine stems of their own ("antogs" →
# "antog", "antagen" → "antag"). Each is brought to the stem of the participle (or the present): "När antogs
# policyn?" finds "Antagen: Kommunfullmäktige 2018-06-18", "beslöt" finds "beslut", "innehöll" "innehåll".
_STRONG_VERB_FORMS = {
    "tag": ("tog", "tagit", "tagn", "taget"), "slag": ("slog", "slagit", "slagn", "slaget"),
    "drag": ("drog", "dragit", "dragn", "draget"), "giv": ("gav", "givit", "givn", "givet", "gett"),
    "gå": ("går", "gick", "gått", "gåt"), "skriv": ("skrev", "skrivit", "skrivn", "skrivet"),
    "bär": ("bar", "burit", "burn", "buret"), "komm": ("kom", "kommit", "komn", "kommet"),
    "stå": ("står", "stod", "stått", "ståt"), "lägg": ("lagd", "lagt"), "välj": ("vald", "valt"),
    "gör": ("gjord", "gjort"), "säg": ("sagt",), "få": ("fått", "fåt"), "finn": ("fann", "funnit", "funn"),
    "bli": ("blev", "blivit"), "bryt": ("bröt", "brutit", "brutn", "brutet"), "se": ("såg", "sedd"),
    "håll": ("höll", "hållit"), "vinn": ("vann", "vunnit", "vunn"), "slut": ("slöt", "slutit", "slutn"),
    "bind": ("bundit", "bundn"), "bjud": ("bjöd", "bjudit", "bjudn"), "grip": ("grep", "gripit", "gripn"),
    "låt": ("lät", "låtit"), "ligg": ("låg", "legat"),
}
_STRONG_VERB_STEM = {form: base for base, forms in _STRONG_VERB_FORMS.items() for form in forms}
# The particles and prefixes a strong verb takes as one word: "an|tog", "be|slöt", "inne|höll", "före|slog".
_VERB_PARTICLES = ("", "an", "av", "be", "bi", "bort", "del", "efter", "emot", "er", "fast", "fram", "för", "före",
                   "genom", "in", "inne", "med", "mot", "ned", "ner", "om", "på", "sam", "till", "under", "upp",
                   "ut", "vid", "åter", "över")


# Past forms that are also nouns or adjectives on their own ("droger", "låg inkomst", "en bar", "en såg"): brought
# to the verb only after a particle ("bidrog", "inneburit").
_NOUNS_TOO = frozenset({"drog", "låg", "bar", "såg"})


# "kvittona", "kontona", "fotona": -ona after a consonant is the definite plural of a neuter noun in -o (not
# "personerna", whose -on is part of the noun and which ends in -erna).
_CONSONANTS_BEFORE_O = frozenset("bcdfghjklmnpqrstvwxz")


@lru_cache(maxsize=65536)
def _strong_verb_base(stem_: str) -> str:
    for particle in _VERB_PARTICLES:
        form = stem_[len(particle):]
        if stem_.startswith(particle) and form in _STRONG_VERB_STEM and (particle or form not in _NOUNS_TOO):
            return particle + _STRONG_VERB_STEM[form]
    return stem_


def stem(word: str) -> str:
    """The Snowball (Swedish) stem of a lowercase word, a strong verb's past forms brought to one stem, and a
    neuter noun in -o in its definite plural brought to the noun: Snowball takes only the -a off "kvittona"
    ("kvitton"), and "kvitto" stays whole, so the two never met."""
    if len(word) >= 7 and word.endswith("ona") and word[-4] in _CONSONANTS_BEFORE_O:
        return word[:-2]
    return _strong_verb_base(_stemmer().stemWord(word))


def without_participle_ending(stem_: str) -> str:
    """A stem without the participle's -d/-t that Snowball leaves after a consonant: "fastställd",
    "fastställt" (and "fastställa") are all "fastställ", "genomförd" and "genomfört" "genomför". After a
    vowel the ending stays ("stöd"), and so do short stems ("land")."""
    if len(stem_) >= 6 and stem_[-1] in "dt" and stem_[-2] not in _VOWELS and stem_[-2] not in "dt":
        return stem_[:-1]
    return stem_


_SYNCOPATED_RE = re.compile(r"(?<=[^\Waeiouyåäöé\d_])([rln])(ets?)$")


def unsyncopated(word: str) -> str:
    """A neuter noun in -er, -el or -en drops its e before the definite -et, which Snowball keeps as a stem of its
    own: "bullret" → "buller", "vattnet" → "vatten", "exemplet" → "exempel" (and "ämnet" → "ämen": a guess to
    try beside the word, not instead of it)."""
    return _SYNCOPATED_RE.sub(r"e\1", word) if len(word) >= 6 else word


def without_definite_n(word: str) -> str:
    """A lowercase word without the definite -n that a noun ending in a vowel takes and Snowball keeps: "taxan"
    (stem "taxan") is "taxa" (stem "tax")."""
    return word[:-1] if len(word) >= 2 and word[-1] == "n" and word[-2] in _VOWELS else word


def words(text: str) -> list[str]:
    """Lowercase word tokens (hyphenated words are split into their parts as well)."""
    found: list[str] = []
    for token in _WORD_RE.findall(text.lower()):
        if "-" in token and not token[0].isdigit():
            found.extend(p for p in token.split("-") if p)
        else:
            found.append(token)
    return found


def word_beginning(word: str, shortest: int = 4) -> str:
    """The beginning a word shares with its inflections: the word less its last three letters, at least
    ``shortest`` letters ("familjecentraler" → "familjecentra", "selektiv" → "selek")."""
    return word[: max(shortest, len(word) - 3)]


def is_derivation(stem_: str, word: str, min_length: int = 5, max_extra: int = 5) -> bool:
    """``word`` continues ``stem_`` by a few letters ("revider" ~ "revidering", "uppfölj" ~ "uppföljning");
    stems shorter than ``min_length`` match only exactly."""
    return len(stem_) >= min_length and word.startswith(stem_) and len(word) - len(stem_) <= max_extra


# Inflection endings the Snowball stemmer leaves on short words ("stödet", "barnen", "åren").
_INFLECTIONS = ("a", "e", "n", "t", "s", "en", "et", "er", "ar", "or", "na", "ns", "ts", "es", "ets", "ens", "ena",
                "arna", "erna", "orna", "ande", "ende", "ade", "ad", "at", "ades")


def inflects(a: str, b: str) -> bool:
    """One stem is the other with an inflection ending ("stödet" ~ "stöd", "barnen" ~ "barn")."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 3 and long_.startswith(short) and long_[len(short):] in _INFLECTIONS


def stem_matches(stem_: str, tokens: Iterable[str], both_ways: bool = False) -> bool:
    """A stem matches a set of stems exactly or as a derivation; ``both_ways`` also accepts a
    token that the stem itself continues."""
    if stem_ in tokens:
        return True
    return any(is_derivation(stem_, t) or (both_ways and is_derivation(t, stem_)) for t in tokens)


def matched_stems(stems: Collection[str], tokens: Iterable[str], min_length: int = 5, max_extra: int = 5) -> set[str]:
    """The stems that ``stem_matches`` (one way) finds among ``tokens``, computed from the tokens' prefixes (a
    few set lookups per token instead of a comparison with every stem: the ranking does this for every
    sentence it scores); also a participle stem whose token differs only in its -d/-t ending
    (``without_participle_ending``)."""
    found: set[str] = set()
    bare = {without_participle_ending(s): s for s in stems if without_participle_ending(s) != s}
    for token in tokens:
        if token in stems:
            found.add(token)
        for length in range(max(min_length, len(token) - max_extra), len(token)):
            if token[:length] in stems:
                found.add(token[:length])
        if bare and without_participle_ending(token) in bare:  # "fastställt" answers "fastställdes"
            found.add(bare[without_participle_ending(token)])
    return found


class SwedishAnalyzer:
    """Stop words, compound parts and Swedish stems."""

    def __init__(self, lexicon: Iterable[str] = ()) -> None:
        self.lexicon = frozenset(w for w in lexicon if len(w) >= _MIN_PART and w not in STOPWORDS)
        self._splits: dict[str, tuple[str, ...]] = {}

    def split_compound(self, word: str) -> tuple[str, ...]:
        """Parts of ``word`` found in the lexicon, longest head first; () if none.

        A known head with an unknown tail of at least four letters still yields the head
        ("behovsinventering" → "behov"): a query for the head should find the compound. A known last part
        is yielded too (``_known_tail``): "försörjningsskyldig" is a kind of "skyldig".
        """
        if word in self._splits:
            return self._splits[word]
        parts: tuple[str, ...] = ()
        if len(word) >= 2 * _MIN_PART + 1:
            parts = self.split_known(word)
            if not parts:
                for cut in range(len(word) - 4, _HEAD_MIN - 1, -1):
                    head = word[:cut]
                    if head in self.lexicon and len(head) >= _HEAD_MIN:
                        parts = (head,)
                        break
                # "koldioxidutsläppen" in a question, where the documents write "utsläppen" and "koldioxidbudget"
                parts += tuple(t for t in self._known_tail(word) if t not in parts)
        self._splits[word] = parts
        return parts

    def _known_tail(self, word: str) -> tuple[str, ...]:
        """For a word the documents never use: the longest lexicon word of five letters or more that it ends
        with, after a head of three or more that begins another lexicon word (a compound's first part). A
        compound is a kind of its last part, and the documents use its first part in compounds of their own."""
        for cut in range(_HEAD_MIN_OF_COMPOUND, len(word) - _TAIL_MIN + 1):
            head, tail = word[:cut], word[cut:]
            if tail in self.lexicon and self._begins_another_word(head, word):
                return (tail,)
        return ()

    def _begins_another_word(self, head: str, word: str) -> bool:
        words_ = self._sorted_lexicon
        i = bisect.bisect_right(words_, head)
        while i < len(words_) and words_[i].startswith(head):
            if words_[i] != word:
                return True
            i += 1
        return False

    @cached_property
    def _sorted_lexicon(self) -> list[str]:
        return sorted(self.lexicon)

    def split_known(self, word: str) -> tuple[str, ...]:
        """Parts of ``word`` that are all in the lexicon (with an optional linking "s"); () if none."""
        for cut in range(len(word) - _MIN_PART, _MIN_PART - 1, -1):
            head, rest = word[:cut], word[cut:]
            if head not in self.lexicon:
                continue
            for link in _LINKS:
                if not rest.startswith(link):
                    continue
                tail = rest[len(link):]
                if len(tail) < _MIN_PART:
                    continue
                if tail in self.lexicon:
                    return (head, tail)
                sub = self.split_known(tail)
                if sub:
                    return (head, *sub)
        return ()

    def tokens(self, text: str) -> list[str]:
        """Stems of the content words of ``text``, each followed by the stems of its compound parts; a word
        whose stem the lexicon lacks is also followed by the stems of the compounds it ends ("departement" →
        "näringsdepartementet"): a Swedish compound is a kind of its last part."""
        result: list[str] = []
        for word in words(text):
            if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
                continue
            stemmed = stem(word)
            result.append(stemmed)
            result.extend(stem(part) for part in self.split_compound(word) if part not in STOPWORDS)
            if self.lexicon and word not in self.lexicon and not word.isdigit() and stemmed not in self._stems:
                result.extend(self.compounds_ending_in(stemmed))
                result.extend(self.verbs_of(stemmed))
        return result

    def compounds_ending_in(self, stem: str, limit: int = 4) -> list[str]:
        """Stems of lexicon words that are compounds whose last part has the stem ``stem`` (a head of three
        letters or more; the shortest first, at most ``limit``); none for a stem under five letters."""
        if len(stem) < _TAIL_MIN:
            return []
        ends = self._reversed_stems
        found = set()
        for ending in _INFLECTIONS:  # the stem of "näringsdepartementet" keeps its ending
            reverse = (stem + ending)[::-1]
            i = bisect.bisect_left(ends, reverse)
            while i < len(ends) and ends[i].startswith(reverse):
                if len(ends[i]) - len(reverse) >= _HEAD_MIN_OF_COMPOUND:
                    found.add(ends[i][::-1])
                i += 1
        return sorted(found, key=len)[:limit]

    def verbs_of(self, stem: str) -> list[str]:
        """The verb a noun in -ing / -ning is made from, when the lexicon has it: "investeringen" →
        "invester" ("investerar"), "betalningen" → "betal" ("betalar")."""
        bases = (stem[:-len(suffix)] for suffix in ("ning", "ing") if stem.endswith(suffix))
        return [base for base in bases if len(base) >= _MIN_PART + 1 and base in self._stems][:1]

    @cached_property
    def _stems(self) -> frozenset[str]:
        return frozenset(stem(w) for w in self.lexicon)

    @cached_property
    def _reversed_stems(self) -> list[str]:
        return sorted(stem[::-1] for stem in self._stems)


def build_lexicon(texts: Iterable[str], min_count: int = 1) -> list[str]:
    """The words of ``texts`` (no numbers), sorted: what ``SwedishAnalyzer`` splits compounds with."""
    counts = Counter(w for text in texts for w in words(text) if not w.isdigit())
    return sorted(w for w, c in counts.items() if c >= min_count)
