"""Generative answers from a configurable language model, with guard rails checked in code.

The extractive engine stays the default. With ``settings.llm_backend`` set (``openai`` for
any OpenAI-compatible server, ``ollama``, or ``llamacpp`` for a local GGUF file) the
``GenerativeEngine`` answers instead:

1. the extractive pipeline runs first (plan, hybrid retrieval, ranking, the refusal rules):
   a question it refuses, or one the structured knowledge answers, never reaches the model;
2. the best ranked chunks become numbered passages [1] … [k] (within
   ``settings.llm_context_tokens``), each a citable span (doc_id, start, end);
3. the model writes a Swedish answer with a marker [n] after every sentence (streamed);
4. the guard rails below check every answer: markers in range, a marker on every
   sentence, the cited passage shares the sentence's key terms, its numbers and dates
   occur in the cited passages, no echo of injected instructions, and Swedish. A failing
   sentence gets its marker moved to the passage that supports it or is dropped; an
   answer that cannot be repaired, a model that errs or is too slow, all give the
   extractive answer instead, with a Swedish notice.

The guard rails are pure functions of (model output, passages, analyzer), testable
without a model (``tests/test_guardrails.py``).
"""

from __future__ import annotations

import logging
import os
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from llama_index.core.llms import ChatMessage

from assistant.prompts import (
    REFUSAL,
    PromptPassage,
    TokenCounter,
    chat_turns,
    chatml_completion_to_prompt,
    chatml_messages_to_prompt,
    estimate_tokens,
    format_passage,
    passage_label,
)
from assistant.query import QUESTION_WORDS
from assistant.types import Answer, Citation, Filters
from common.settings import Settings
from ingest.lexical import STOPWORDS, SwedishAnalyzer, words

if TYPE_CHECKING:
    from llama_index.core.llms import LLM

    from assistant.engine import Assistant

log = logging.getLogger(__name__)

# Visible notices (Swedish, shown with the answer).
NOTICE_GENERATED = "Svaret är formulerat av en språkmodell utifrån de citerade utdragen."
NOTICE_REPAIRED = ("Språkmodellens svar har justerats: meningar som dokumenten inte stöder har tagits bort "
                   "eller fått rätt källhänvisning.")
NOTICE_FALLBACK = "Språkmodellens svar kunde inte beläggas i dokumenten; här är det citerade svaret i stället."
NOTICE_TIMEOUT = "Språkmodellen svarade inte i tid; här är det citerade svaret i stället."
NOTICE_UNAVAILABLE = "Språkmodellen kunde inte nås; här är det citerade svaret i stället."

OUTCOMES = ("unrepaired", "repaired", "fallback", "skipped")


class LLMConfigError(RuntimeError):
    """The language model is not configured correctly or its optional package is missing."""


# =========================================================================================
# Guard rails: pure functions
# =========================================================================================

@dataclass(frozen=True)
class GivenPassage:
    """A passage as given to the model: [n] resolves to ``document.text[start:end]``."""

    n: int
    doc_id: str
    start: int
    end: int
    text: str
    label: str = ""  # title, page and section as shown to the model
    sentences: tuple[tuple[int, int], ...] = ()  # absolute sentence spans inside [start, end)

    @property
    def searchable(self) -> str:
        return f"{self.label}\n{self.text}"

    def prompt(self) -> PromptPassage:
        return PromptPassage(self.n, self.label, self.text)

    def sentence_texts(self) -> list[tuple[int, int, str]]:
        return [(s, e, self.text[s - self.start:e - self.start]) for s, e in self.sentences
                if self.start <= s < e <= self.end]


_MARKER_RE = re.compile(r"\[\s*(?:utdrag\s*|källa\s*)?(\d{1,3}(?:\s*(?:[,;]|och|–|-)\s*\d{1,3})*)\s*\]", re.I)
_BULLET_RE = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
_ABBREVIATIONS = {"t.ex", "bl.a", "s", "kl", "ca", "resp", "m.fl", "osv", "dvs", "nr", "jfr", "fr.o.m", "t.o.m",
                  "o.s.v", "d.v.s", "m.m", "etc", "st", "tel"}
_SENTENCE_END_RE = re.compile(r"[.!?]((?:\s*\[[^\[\]\n]{1,30}\])*)(?=\s+[\"”(*A-ZÅÄÖ0-9]|\s*$)")


def parse_markers(text: str) -> list[int]:
    """The passage numbers of all markers in ``text``, in order, once each ("[1, 3]", "[2–4]" too)."""
    found: list[int] = []
    for match in _MARKER_RE.finditer(text):
        for part in re.split(r"\s*(?:[,;]|och)\s*", match.group(1)):
            bounds = re.split(r"\s*[–-]\s*", part)
            if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
                low, high = int(bounds[0]), int(bounds[1])
                numbers = list(range(low, high + 1)) if 0 < high - low <= 10 else [low, high]
            else:
                numbers = [int(b) for b in bounds if b.isdigit()]
            found.extend(n for n in numbers if n not in found)
    return found


_PLACEHOLDER_RE = re.compile(r"\s*\[(?:n|x|nr|nummer|k)\]", re.IGNORECASE)  # "[n]" copied from the instructions


def strip_markers(text: str) -> str:
    text = _PLACEHOLDER_RE.sub("", _MARKER_RE.sub("", text))
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Unit:
    """One sentence (or list item) of a model answer."""

    text: str  # without markers
    markers: list[int]  # as the model wrote them
    bullet: str = ""  # "- " for a list item
    separator: str = " "  # what stands before it: "", " ", "\n" or "\n\n"


def split_units(answer: str) -> list[Unit]:
    """Sentences and list items of a model answer, each with the markers written in or right after it."""
    units: list[Unit] = []
    separator = ""
    for line in answer.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            separator = "\n\n" if units else ""
            continue
        bullet = ""
        match = _BULLET_RE.match(line)
        if match:
            bullet, line = "- ", line[match.end():]
        pieces = _sentences_of(line) if not bullet else [line]
        for i, piece in enumerate(pieces):
            text = strip_markers(piece)
            markers = parse_markers(piece)
            if not text and markers and units:  # markers on a line of their own belong to the sentence before
                units[-1].markers += [m for m in markers if m not in units[-1].markers]
                continue
            if not text:
                continue
            if i == 0:
                sep = separator if separator else ("\n" if units else "")
            else:
                sep = " "
            units.append(Unit(text, markers, bullet if i == 0 else "", sep))
        separator = "\n"
    return units


def _sentences_of(line: str) -> list[str]:
    pieces, start = [], 0
    for match in _SENTENCE_END_RE.finditer(line):
        head = line[start:match.start()].rsplit(None, 1)
        last_word = head[-1].lower() if head else ""
        if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
            continue
        pieces.append(line[start:match.end()])
        start = match.end()
    if line[start:].strip():
        pieces.append(line[start:])
    return [p.strip() for p in pieces if p.strip()]


def is_refusal(text: str) -> bool:
    return strip_markers(text).rstrip(".!").casefold() == REFUSAL.rstrip(".").casefold()


# --- (3) key terms ---------------------------------------------------------------------------

def key_terms(text: str, analyzer: SwedishAnalyzer) -> list[list[str]]:
    """The content words of ``text``, each as its stems (the word's own and its compound parts').

    Numbers are left to ``unsupported_numbers``; question words and stop words carry no claim."""
    terms: list[list[str]] = []
    seen: set[str] = set()
    for word in words(strip_markers(text)):
        if word.isdigit() or word[:1].isdigit() or word in STOPWORDS or word in QUESTION_WORDS or len(word) < 2:
            continue
        stems = analyzer.tokens(word)
        if stems and stems[0] not in seen:
            seen.add(stems[0])
            terms.append(stems)
    return terms


def _stem_matches(stem: str, tokens: set[str]) -> bool:
    """Exactly, or as a derivation of the same stem ("uppfölj" ~ "uppföljning")."""
    if stem in tokens:
        return True
    if len(stem) < 5:
        return False
    return any(len(t) >= 5 and (t.startswith(stem) or stem.startswith(t)) and abs(len(t) - len(stem)) <= 5
               for t in tokens)


def term_support(sentence: str, passage_text: str, analyzer: SwedishAnalyzer,
                 weight: Callable[[str], float] | None = None) -> float:
    """Share of the sentence's key terms (weighted, e.g. by rarity) that the passage contains; 1.0 without terms."""
    terms = key_terms(sentence, analyzer)
    if not terms:
        return 1.0
    tokens = set(analyzer.tokens(passage_text))
    total = matched = 0.0
    for stems in terms:
        w = weight(stems[0]) if weight else 1.0
        total += w
        if _stem_matches(stems[0], tokens):
            matched += w
        elif len(stems) > 1:  # a compound counts by the share of its parts the passage has
            matched += w * sum(_stem_matches(part, tokens) for part in stems[1:]) / (len(stems) - 1)
    return matched / total if total else 1.0


# --- (4) numbers and dates -------------------------------------------------------------------

_NUMBER_RE = re.compile(r"(?<![\d,.])\d{1,3}(?:[ \u00a0]\d{3})+(?![\d,])|\d+(?:[.,]\d+)?")
_MONTHS = {m: i for i, m in enumerate(("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
                                       "september", "oktober", "november", "december"), start=1)}
_NUMBER_WORDS = {"två": "2", "tre": "3", "fyra": "4", "fem": "5", "sex": "6", "sju": "7", "åtta": "8", "nio": "9",
                 "tio": "10", "elva": "11", "tolv": "12", "femton": "15", "tjugo": "20", "hundra": "100"}


def numbers_in(text: str) -> set[str]:
    """Numbers of ``text`` normalised ("10 000" → "10000", "05" → "5", "2.5" → "2,5")."""
    found = set()
    for match in _NUMBER_RE.finditer(text):
        token = re.sub(r"[ \u00a0]", "", match.group(0)).replace(".", ",")
        if "," in token:
            whole, frac = token.split(",", 1)
            found.add(f"{int(whole)},{frac}")
        else:
            found.add(str(int(token)))
    return found


def unsupported_numbers(sentence: str, passage_texts: Sequence[str]) -> list[str]:
    """Numbers and month names of a sentence that none of the passages contains."""
    sentence = strip_markers(sentence)
    evidence = "\n".join(passage_texts)
    have = numbers_in(evidence) | {n for w, n in _NUMBER_WORDS.items() if re.search(rf"\b{w}\b", evidence, re.I)}
    missing = sorted(numbers_in(sentence) - have)
    lowered = evidence.lower()
    for month, number in _MONTHS.items():
        if re.search(rf"\b{month}\b", sentence.lower()) and month not in lowered \
                and not re.search(rf"\b\d{{4}}-0?{number}-\d\d\b", lowered):
            missing.append(month)
    return missing


# --- (5) language, (6) instructions -------------------------------------------------------

_SWEDISH_WORDS = frozenset(
    "och att det som är en ett av för med på till om har inte de den ska kan eller från vid också samt alla sina "
    "sitt sin detta dessa där när vilka genom enligt hos mellan under efter barn föräldrar vara finns görs bland "
    "deras ett varje både inom mot utan än hur vad man sig".split())
_ENGLISH_WORDS = frozenset(
    "the and of to is are in for with that this be on from it as an or not can should will which their they have "
    "has was were at about these those there what how every other year years parents children support strategy "
    "also been all its who would must each municipalities documents according into been does do".split())


def is_swedish(text: str) -> bool:
    """False for an answer that is clearly in English (function words), whatever Swedish names it quotes."""
    tokens = re.findall(r"[a-zåäöéü]+", strip_markers(text).lower())
    english = sum(t in _ENGLISH_WORDS for t in tokens)
    swedish = sum(t in _SWEDISH_WORDS for t in tokens) + 0.5 * sum(1 for t in tokens if re.search("[åäö]", t))
    return not (english >= 3 and english > swedish)


_INSTRUCTION_ECHO_RE = re.compile(
    r"ignore (all |the )?(previous|prior|above)|ignorera (alla |de )?(tidigare|ovanstående|föregående)|"
    r"(tidigare|föregående) instruktioner|systemprompt|system prompt|mina (regler|instruktioner)|"
    r"<\s*/?\s*(utdrag|fråga)\s*>|<\|im_(start|end)\|>|\bjailbreak|språkmodell|as an ai\b",
    re.IGNORECASE)


def echoes_instructions(text: str) -> bool:
    """A sentence about instructions or prompts, not about the documents' subject: an echoed injection."""
    return bool(_INSTRUCTION_ECHO_RE.search(text))


# --- the check ------------------------------------------------------------------------------

@dataclass
class CheckedUnit:
    unit: Unit
    markers: list[int]  # after the check (passage numbers)
    action: str  # kept | reattached | dropped | exempt
    issues: list[str] = field(default_factory=list)


@dataclass
class GuardrailReport:
    outcome: str  # unrepaired | repaired | fallback
    refusal: bool
    units: list[CheckedUnit]
    issues: list[str] = field(default_factory=list)  # answer-level: empty, not_swedish, nothing_supported

    @property
    def kept(self) -> list[CheckedUnit]:
        return [u for u in self.units if u.action != "dropped"]

    def all_issues(self) -> list[str]:
        return self.issues + [i for u in self.units for i in u.issues]


@dataclass(frozen=True)
class GuardrailConfig:
    min_support: float = 0.5  # share of a sentence's key terms its cited passages must contain
    min_each: float = 0.25  # … and each single cited passage
    better_by: float = 0.3  # a given passage supporting the sentence this much better takes over the marker


def check_answer(answer: str, passages: Sequence[GivenPassage], analyzer: SwedishAnalyzer,
                 weight: Callable[[str], float] | None = None,
                 config: GuardrailConfig = GuardrailConfig()) -> GuardrailReport:
    """Check a model answer against the passages it was given; repair what can be repaired.

    outcome "fallback" means: show the extractive answer instead."""
    units = split_units(answer)
    if not units:
        return GuardrailReport("fallback", False, [], ["empty"])
    if not is_swedish(answer):
        return GuardrailReport("fallback", False, [CheckedUnit(u, u.markers, "dropped") for u in units],
                               ["not_swedish"])
    by_n = {p.n: p for p in passages}
    if any(is_refusal(u.text) for u in units) and not any(m in by_n for u in units for m in u.markers):
        checked = [CheckedUnit(u, [], "exempt" if is_refusal(u.text) else "dropped") for u in units]
        first = next(i for i, c in enumerate(checked) if c.action == "exempt")
        checked = [c if i == first else replace(c, action="dropped") for i, c in enumerate(checked)]
        repaired = len(units) > 1
        return GuardrailReport("repaired" if repaired else "unrepaired", True, checked)

    checked: list[CheckedUnit] = []
    for i, unit in enumerate(units):
        checked.append(_check_unit(unit, units[i + 1] if i + 1 < len(units) else None, by_n, analyzer, weight,
                                   config))
    kept = [c for c in checked if c.action in ("kept", "reattached")]
    if not kept:
        return GuardrailReport("fallback", False, checked, ["nothing_supported"])
    changed = any(c.action in ("reattached", "dropped") or c.markers != c.unit.markers for c in checked)
    return GuardrailReport("repaired" if changed else "unrepaired", False, checked)


def _check_unit(unit: Unit, following: Unit | None, by_n: dict[int, GivenPassage], analyzer: SwedishAnalyzer,
                weight: Callable[[str], float] | None, config: GuardrailConfig) -> CheckedUnit:
    issues: list[str] = []
    if echoes_instructions(unit.text):
        return CheckedUnit(unit, [], "dropped", ["instruction_echo"])
    if is_refusal(unit.text):
        return CheckedUnit(unit, [], "exempt")
    valid = [m for m in unit.markers if m in by_n]
    if len(valid) < len(unit.markers):
        issues.append("marker_out_of_range")
    if not unit.markers:
        if unit.text.endswith(":") and following is not None and following.bullet:
            # A lead-in to a list claims nothing of its own; its numbers must still be in the passages.
            if not unsupported_numbers(unit.text, [p.searchable for p in by_n.values()]):
                return CheckedUnit(unit, [], "exempt")
        issues.append("missing_marker")

    # The given passage that best supports the sentence: where a marker goes when the model's does not hold.
    best, best_score = None, 0.0
    for n, passage in by_n.items():
        if unsupported_numbers(unit.text, [passage.searchable]):
            continue
        score = term_support(unit.text, passage.searchable, analyzer, weight)
        if score > best_score:
            best, best_score = n, score

    if valid and unsupported_numbers(unit.text, [by_n[m].searchable for m in valid]):
        issues.append("number_not_in_passage")
    supporting = [m for m in valid if term_support(unit.text, by_n[m].searchable, analyzer, weight) >= config.min_each]
    if supporting and "number_not_in_passage" not in issues:
        support = term_support(unit.text, "\n".join(by_n[m].searchable for m in supporting), analyzer, weight)
        if len(supporting) == len(valid) and support >= config.min_support \
                and not (best is not None and best not in supporting and best_score - support >= config.better_by):
            return CheckedUnit(unit, supporting, "kept", issues)
        if support >= config.min_support and not (best is not None and best_score - support >= config.better_by):
            return CheckedUnit(unit, supporting, "kept", issues + ["marker_unsupported"])  # one marker dropped
    if valid and "number_not_in_passage" not in issues:
        issues.append("marker_unsupported")  # too few of its terms, or another passage says it much better

    if best is not None and best_score >= config.min_support:
        return CheckedUnit(unit, [best], "reattached", issues)
    return CheckedUnit(unit, [], "dropped", issues or ["unsupported"])


def best_span(sentence: str, passage: GivenPassage, analyzer: SwedishAnalyzer,
              weight: Callable[[str], float] | None = None) -> tuple[int, int]:
    """The sentence of the passage (with a neighbour when that adds support) that best backs ``sentence``:
    the quote a citation shows. The whole passage when no single sentence shares its terms."""
    candidates = passage.sentence_texts()
    if not candidates:
        return passage.start, passage.end
    scores = [term_support(sentence, text, analyzer, weight) if key_terms(text, analyzer) else 0.0
              for _, _, text in candidates]
    i = max(range(len(candidates)), key=lambda k: (scores[k], -k))
    if scores[i] <= 0.0:
        return passage.start, passage.end
    low, high, score = i, i, scores[i]
    while True:  # widen by a neighbouring sentence while that adds clear support (a long copied answer)
        options = [(low - 1, high), (low, high + 1)]
        best = None
        for lo, hi in options:
            if 0 <= lo and hi < len(candidates):
                text = passage.text[candidates[lo][0] - passage.start:candidates[hi][1] - passage.start]
                gain = term_support(sentence, text, analyzer, weight) - score
                if gain >= 0.1 and (best is None or gain > best[0]):
                    best = (gain, lo, hi)
        if best is None:
            break
        score, low, high = score + best[0], best[1], best[2]
    return candidates[low][0], candidates[high][1]


# =========================================================================================
# Passages within the token budget
# =========================================================================================

def select_passages(candidates: Sequence[GivenPassage], budget_tokens: int, count_tokens: TokenCounter,
                    max_passages: int = 6) -> list[GivenPassage]:
    """The first candidates (best first) whose prompt text fits in ``budget_tokens``, numbered 1…k.

    A passage that does not fit is cut after its last sentence that does; the first passage is
    always given, cut if need be."""
    chosen: list[GivenPassage] = []
    used = 0
    for candidate in candidates:
        if len(chosen) >= max_passages:
            break
        passage = replace(candidate, n=len(chosen) + 1)
        cost = count_tokens(format_passage(passage.prompt())) + 2
        if used + cost > budget_tokens:
            passage = _cut_to_fit(passage, budget_tokens - used, count_tokens, force=not chosen)
            if passage is None:
                continue
            cost = count_tokens(format_passage(passage.prompt())) + 2
        chosen.append(passage)
        used += cost
    return chosen


def _cut_to_fit(passage: GivenPassage, budget: int, count_tokens: TokenCounter, force: bool) -> GivenPassage | None:
    ends = sorted({e for _, e, _ in passage.sentence_texts()})
    best = None
    for end in ends:
        cut = replace(passage, end=end, text=passage.text[:end - passage.start],
                      sentences=tuple((s, e) for s, e in passage.sentences if e <= end))
        if count_tokens(format_passage(cut.prompt())) + 2 <= budget:
            best = cut
        else:
            break
    if best is None and force:
        chars = max(200, budget * 4 - len(passage.label) - 10)
        text = passage.text[:chars]
        best = replace(passage, end=passage.start + len(text), text=text,
                       sentences=tuple((s, e) for s, e in passage.sentences if e <= passage.start + len(text)))
    if best is not None and len(best.text.strip()) < 40:
        return None if not force else best
    return best


# =========================================================================================
# Language models
# =========================================================================================

def make_llm(settings: Settings) -> LLM:
    """The llama-index LLM for ``settings.llm_backend`` (openai | ollama | llamacpp)."""
    backend = settings.llm_backend
    timeout = settings.llm_timeout_s
    window = settings.llm_context_tokens + 2048  # passages + instructions, examples, question and answer
    if backend == "openai":
        OpenAILike = _import("llama_index.llms.openai_like", "OpenAILike", "llm")  # noqa: N806
        if not settings.llm_base_url or not settings.llm_model:
            raise LLMConfigError("llm_backend=openai needs FSA_LLM_BASE_URL (e.g. http://localhost:8080/v1) "
                                 "and FSA_LLM_MODEL")
        return OpenAILike(
            model=settings.llm_model, api_base=settings.llm_base_url,
            api_key=settings.llm_api_key.get_secret_value() or "not-needed", timeout=timeout, max_retries=0,
            is_chat_model=True, context_window=window, max_tokens=512, temperature=0.1,
        )
    if backend == "ollama":
        Ollama = _import("llama_index.llms.ollama", "Ollama", "llm")  # noqa: N806
        if not settings.llm_model:
            raise LLMConfigError("llm_backend=ollama needs FSA_LLM_MODEL (e.g. qwen2.5:1.5b)")
        return Ollama(
            model=settings.llm_model, base_url=settings.llm_base_url or "http://localhost:11434",
            request_timeout=timeout, context_window=window, temperature=0.1,
            additional_kwargs={"num_predict": 512},
        )
    if backend == "llamacpp":
        path = settings.llm_model_path
        if path is None or not path.is_file():
            raise LLMConfigError(f"llm_backend=llamacpp needs FSA_LLM_MODEL_PATH naming a GGUF file (got {path})")
        LlamaCPP = _import("llama_index.llms.llama_cpp", "LlamaCPP", "llamacpp")  # noqa: N806
        return LlamaCPP(
            model_path=str(path), temperature=0.1, max_new_tokens=512, context_window=window,
            generate_kwargs={"stop": ["<|im_end|>", "<|endoftext|>"], "repeat_penalty": 1.1},
            model_kwargs={"n_threads": max(1, os.cpu_count() or 1), "n_gpu_layers": 0},
            messages_to_prompt=chatml_messages_to_prompt, completion_to_prompt=chatml_completion_to_prompt,
            verbose=False,
        )
    raise LLMConfigError(f"unknown llm_backend {backend!r}: use none, openai, ollama or llamacpp")


def _import(module: str, name: str, extra: str) -> Any:
    try:
        return getattr(__import__(module, fromlist=[name]), name)
    except ImportError as exc:
        raise LLMConfigError(
            f"llm_backend needs the optional package {module.replace('_', '-').replace('.', '-')} "
            f"({exc}); install it with: pip install -e '.[{extra}]'") from exc


def token_counter(llm: Any) -> TokenCounter:
    """The model's own tokenizer where it is at hand offline (llama.cpp), else about chars/4."""
    model = getattr(llm, "_model", None)
    tokenize = getattr(model, "tokenize", None)
    if callable(tokenize):
        def count(text: str) -> int:
            return len(tokenize(text.encode("utf-8"), add_bos=False, special=False))
        return count
    return estimate_tokens


class LLMTimeoutError(TimeoutError):
    pass


# =========================================================================================
# The engine
# =========================================================================================

class GenerativeEngine:
    """Answers through a language model on top of an ``Assistant``'s retrieval, guard-railed."""

    def __init__(self, assistant: Assistant, llm: LLM | None = None, max_passages: int = 6,
                 config: GuardrailConfig = GuardrailConfig()) -> None:
        self.assistant = assistant
        self.settings = assistant.settings
        self.max_passages = max_passages
        self.config = config
        self._llm = llm
        self._llm_error: LLMConfigError | None = None
        self._make_lock = threading.Lock()
        # llama.cpp holds one context: one generation at a time. Servers take concurrent requests.
        self._generate_lock = threading.Lock() if self.settings.llm_backend == "llamacpp" else None

    # --- the model ------------------------------------------------------------------------

    @property
    def llm(self) -> LLM:
        """The language model, made on first use (a local GGUF takes seconds to load)."""
        with self._make_lock:
            if self._llm is None:
                if self._llm_error is not None:
                    raise self._llm_error
                try:
                    self._llm = make_llm(self.settings)
                except LLMConfigError as exc:
                    self._llm_error = exc
                    raise
            return self._llm

    def _generate(self, messages: list, deadline: float, stream: bool) -> Iterator[str]:
        """Text deltas from the model, given up at ``deadline`` (the worker thread is told to stop)."""
        llm = self.llm
        out: queue.Queue = queue.Queue()
        cancel = threading.Event()
        lock = self._generate_lock

        def work() -> None:
            try:
                if lock is not None and not lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
                    raise LLMTimeoutError("the model is busy with an earlier question")
                try:
                    if stream:
                        for chunk in llm.stream_chat(messages):
                            if cancel.is_set():
                                break
                            out.put(("delta", chunk.delta or ""))
                    else:
                        out.put(("delta", llm.chat(messages).message.content or ""))
                finally:
                    if lock is not None:
                        lock.release()
                out.put(("done", None))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                out.put(("error", exc))

        worker = threading.Thread(target=work, name="llm-generate", daemon=True)
        worker.start()
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise LLMTimeoutError(f"no complete answer within {self.settings.llm_timeout_s:g} s")
                try:
                    kind, value = out.get(timeout=remaining)
                except queue.Empty:
                    continue
                if kind == "delta":
                    if value:
                        yield value
                elif kind == "done":
                    return
                else:
                    raise value
        finally:
            cancel.set()

    # --- answering ------------------------------------------------------------------------

    def ask(self, question: str, history: Sequence[str] = (), filters: Filters | None = None) -> Answer:
        """The checked answer (the model's reply in one piece, not streamed)."""
        final = None
        for item in self._run(question, history, filters, stream=False):
            if isinstance(item, Answer):
                final = item
        assert final is not None
        return final

    def stream(self, question: str, history: Sequence[str] = (),
               filters: Filters | None = None) -> Iterator[str | Answer]:
        """Text deltas as the model writes them, then the checked ``Answer`` (which replaces them:
        its markers are renumbered to its citations, and it may be repaired or the extractive answer)."""
        return self._run(question, history, filters, stream=True)

    def _run(self, question: str, history: Sequence[str], filters: Filters | None,
             stream: bool) -> Iterator[str | Answer]:
        started = time.perf_counter()
        extractive = self.assistant.ask_extractive(question, history, filters)
        if extractive.refused or extractive.kind != "search" or not extractive.passages:
            # The refusal rules and the structured knowledge answer first; the model is not asked.
            yield replace(extractive, guardrails="skipped")
            return
        timings = dict(extractive.timings_ms)
        try:
            llm = self.llm  # made (a local model loaded) once, before the answer's time starts
            deadline = time.monotonic() + self.settings.llm_timeout_s
            passages = self.passages_for(extractive, token_counter(llm))
            turns = chat_turns([p.prompt() for p in passages], extractive.effective_question or extractive.question)
            messages = [ChatMessage(role=role, content=content) for role, content in turns]
            t = time.perf_counter()
            parts: list[str] = []
            for delta in self._generate(messages, deadline, stream):
                parts.append(delta)
                if stream:
                    yield delta
            timings["generate"] = _ms(t)
        except LLMTimeoutError as exc:
            log.warning("language model timed out: %s", exc)
            yield self._fallback(extractive, NOTICE_TIMEOUT, started)
            return
        except LLMConfigError as exc:
            log.error("language model not available: %s", exc)
            yield self._fallback(extractive, NOTICE_UNAVAILABLE, started)
            return
        except Exception as exc:  # noqa: BLE001 - any client or server failure gives the extractive answer
            log.warning("language model failed: %s: %s", type(exc).__name__, exc)
            yield self._fallback(extractive, NOTICE_UNAVAILABLE, started)
            return

        t = time.perf_counter()
        text = "".join(parts)
        index = self.assistant.index
        analyzer = index.lexical.analyzer
        report = check_answer(text, passages, analyzer, index.lexical.idf, self.config)
        timings["check"] = _ms(t)
        if report.all_issues():
            # Not the question itself: it may hold personal data (see tests/test_security.py).
            log.info("guard rails: %s (%s) for a question of %d characters", report.outcome,
                     ", ".join(report.all_issues()), len(question))
        if report.outcome == "fallback":
            yield self._fallback(extractive, NOTICE_FALLBACK, started)
            return
        answer = self._render(extractive, report, passages)
        answer.timings_ms = {**timings, "total": _ms(started)}
        yield answer

    def passages_for(self, extractive: Answer, count_tokens: TokenCounter = estimate_tokens) -> list[GivenPassage]:
        """The top ranked chunks, those holding the extractive answer's quotes first, within the budget."""
        index = self.assistant.index
        order = []
        seen: set[str] = set()
        for citation in extractive.citations:
            if citation.chunk_id and citation.chunk_id not in seen and citation.chunk_id in index.chunks:
                seen.add(citation.chunk_id)
                order.append(citation.chunk_id)
        for passage in extractive.passages:
            if passage.chunk_id and passage.chunk_id not in seen and passage.chunk_id in index.chunks:
                seen.add(passage.chunk_id)
                order.append(passage.chunk_id)
        candidates = []
        for chunk_id in order:
            chunk = index.chunks[chunk_id]
            entry = index.entries[chunk.doc_id]
            spans, _ = index.sentence_vectors(chunk.doc_id, chunk.start, chunk.end)
            candidates.append(GivenPassage(
                n=0, doc_id=chunk.doc_id, start=chunk.start, end=chunk.end,
                text=index.documents[chunk.doc_id].text[chunk.start:chunk.end],
                label=passage_label(entry.title, chunk.page_start, chunk.section_path),
                sentences=tuple((int(s), int(e)) for s, e in spans),
            ))
        return select_passages(candidates, self.settings.llm_context_tokens, count_tokens, self.max_passages)

    def _render(self, extractive: Answer, report: GuardrailReport, passages: Sequence[GivenPassage]) -> Answer:
        engine = self.assistant._components()[2]
        analyzer = self.assistant.index.lexical.analyzer
        idf = self.assistant.index.lexical.idf
        notices = list(extractive.notices)
        if report.refusal:
            text, citations = _refusal_with_closest(extractive, engine)
            notices.append(NOTICE_GENERATED)
            return replace(extractive, answer=text, refused=True, citations=citations, notices=notices,
                           engine="generative", guardrails=report.outcome)
        by_n = {p.n: p for p in passages}
        citations: list[Citation] = []
        numbers: dict[tuple[str, int, int], int] = {}
        out = ""
        for checked in report.kept:
            unit = checked.unit
            marks = []
            for n in checked.markers:
                passage = by_n[n]
                start, end = best_span(unit.text, passage, analyzer, idf)
                key = (passage.doc_id, start, end)
                if key not in numbers:
                    numbers[key] = len(citations) + 1
                    citations.append(engine.span_citation(numbers[key], passage.doc_id, start, end))
                if f"[{numbers[key]}]" not in marks:
                    marks.append(f"[{numbers[key]}]")
            sentence = unit.bullet + unit.text + ("".join(f" {m}" for m in marks))
            out += (unit.separator if out else "") + sentence
        notices.append(NOTICE_GENERATED)
        if report.outcome == "repaired":
            notices.append(NOTICE_REPAIRED)
        return replace(extractive, answer=out.strip(), refused=False, citations=citations, notices=notices,
                       engine="generative", guardrails=report.outcome)

    def _fallback(self, extractive: Answer, notice: str, started: float) -> Answer:
        timings = {**extractive.timings_ms, "total": _ms(started)}
        return replace(extractive, notices=[*extractive.notices, notice], guardrails="fallback",
                       timings_ms=timings)


def _refusal_with_closest(extractive: Answer, engine: Any, limit: int = 3) -> tuple[str, list[Citation]]:
    """The model's refusal, with the closest quotes the search found (as the extractive refusal shows them)."""
    lines = [REFUSAL]
    citations: list[Citation] = []
    if extractive.citations:
        lines += ["", "Det närmaste jag hittade i dokumenten:"]
        for c in extractive.citations[:limit]:
            citations.append(replace(c, n=len(citations) + 1))
            lines.append(f"- *{engine.short_label(c.doc_id)}:* ”{c.quote.strip()}” [{len(citations)}]")
    return "\n".join(lines), citations


def use_generative_engine(assistant: Assistant, llm: LLM | None = None) -> GenerativeEngine:
    """Switch ``assistant`` to generative answers (``python -m assistant eval --llm``).

    Raises ``LLMConfigError`` at once when no model is configured or it cannot be made."""
    if llm is None and assistant.settings.llm_backend == "none":
        raise LLMConfigError("no language model configured: set FSA_LLM_BACKEND to openai, ollama or llamacpp "
                             "(with FSA_LLM_MODEL / FSA_LLM_BASE_URL or FSA_LLM_MODEL_PATH)")
    engine = GenerativeEngine(assistant, llm)
    _ = engine.llm
    assistant._generative = engine
    return engine


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)


__all__ = [
    "GenerativeEngine", "GivenPassage", "GuardrailConfig", "GuardrailReport", "LLMConfigError", "OUTCOMES",
    "best_span", "check_answer", "echoes_instructions", "is_swedish", "key_terms", "make_llm", "numbers_in",
    "parse_markers", "select_passages", "split_units", "term_support", "unsupported_numbers",
    "use_generative_engine",
]
