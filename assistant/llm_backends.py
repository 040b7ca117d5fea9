"""Language-model back-ends for the generative answerer, chosen from a table as the embedders are.

``LLM_BACKENDS`` maps a name (``settings.llm_backend``) to the llama-index class that talks to it,
the pip extra that installs that class, and how to build it from the settings. ``make_llm``
is the one factory; a missing package or setting is an ``LLMConfigError`` that says what to do.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.prompts import SYSTEM_PROMPT, TokenCounter, estimate_tokens
from common.settings import Settings

if TYPE_CHECKING:
    from llama_index.core.llms import LLM


class LLMConfigError(RuntimeError):
    """The language model is not configured correctly or its optional package is missing."""


@dataclass(frozen=True)
class LLMBackend:
    module: str  # the llama-index integration
    class_name: str
    extra: str  # pip install -e '.[extra]'
    build: Callable[[Any, Settings, int], LLM]  # (the class, settings, context window) -> the model

    def load_class(self) -> Any:
        try:
            return getattr(__import__(self.module, fromlist=[self.class_name]), self.class_name)
        except ImportError as exc:
            raise LLMConfigError(
                f"llm_backend needs the optional package {self.module.replace('_', '-').replace('.', '-')} "
                f"({exc}); install it with: pip install -e '.[{self.extra}]'") from exc


def _openai_like(cls: Any, settings: Settings, window: int) -> LLM:
    return cls(
        model=settings.llm_model, api_base=settings.llm_base_url,
        api_key=settings.llm_api_key.get_secret_value() or "not-needed", timeout=settings.llm_timeout_s,
        max_retries=0, is_chat_model=True, context_window=window, max_tokens=512, temperature=0.1,
    )


def _ollama(cls: Any, settings: Settings, window: int) -> LLM:
    return cls(
        model=settings.llm_model, base_url=settings.llm_base_url or "http://localhost:11434",
        request_timeout=settings.llm_timeout_s, context_window=window, temperature=0.1,
        additional_kwargs={"num_predict": 512},
    )


def _llama_cpp(cls: Any, settings: Settings, window: int) -> LLM:
    return cls(
        model_path=str(settings.llm_model_path), temperature=0.1, max_new_tokens=512, context_window=window,
        generate_kwargs={"stop": ["<|im_end|>", "<|endoftext|>"], "repeat_penalty": 1.1},
        model_kwargs={"n_threads": max(1, os.cpu_count() or 1), "n_gpu_layers": 0},
        messages_to_prompt=chatml_messages_to_prompt, completion_to_prompt=chatml_completion_to_prompt,
        verbose=False,
    )


NOT_CONFIGURED = ("no language model configured: set FSA_LLM_BACKEND to openai, ollama or llamacpp "
                  "(with FSA_LLM_MODEL / FSA_LLM_BASE_URL or FSA_LLM_MODEL_PATH)")

LLM_BACKENDS: dict[str, LLMBackend] = {
    "openai": LLMBackend("llama_index.llms.openai_like", "OpenAILike", "llm", _openai_like),
    "ollama": LLMBackend("llama_index.llms.ollama", "Ollama", "llm", _ollama),
    "llamacpp": LLMBackend("llama_index.llms.llama_cpp", "LlamaCPP", "llamacpp", _llama_cpp),
}


def _check_settings(settings: Settings) -> None:
    """What each back-end needs besides its package."""
    backend = settings.llm_backend
    if backend == "openai" and (not settings.llm_base_url or not settings.llm_model):
        raise LLMConfigError("llm_backend=openai needs FSA_LLM_BASE_URL (e.g. http://localhost:8080/v1) "
                             "and FSA_LLM_MODEL")
    if backend == "ollama" and not settings.llm_model:
        raise LLMConfigError("llm_backend=ollama needs FSA_LLM_MODEL (e.g. qwen2.5:1.5b)")
    if backend == "llamacpp" and (settings.llm_model_path is None or not settings.llm_model_path.is_file()):
        raise LLMConfigError(f"llm_backend=llamacpp needs FSA_LLM_MODEL_PATH naming a GGUF file "
                             f"(got {settings.llm_model_path})")


def make_llm(settings: Settings) -> LLM:
    """The llama-index LLM for ``settings.llm_backend``."""
    if settings.llm_backend == "none":
        raise LLMConfigError(NOT_CONFIGURED)
    backend = LLM_BACKENDS.get(settings.llm_backend)
    if backend is None:
        names = ", ".join(["none", *LLM_BACKENDS])
        raise LLMConfigError(f"unknown llm_backend {settings.llm_backend!r}: use {names}")
    _check_settings(settings)
    cls = backend.load_class()
    window = settings.llm_context_tokens + 2048  # passages + instructions, examples, question and answer
    return backend.build(cls, settings, window)


def token_counter(llm: Any) -> TokenCounter:
    """The model's own tokenizer where it is at hand offline (llama.cpp), else about chars/4."""
    model = getattr(llm, "_model", None)
    tokenize = getattr(model, "tokenize", None)
    if callable(tokenize):
        def count(text: str) -> int:
            return len(tokenize(text.encode("utf-8"), add_bos=False, special=False))
        return count
    return estimate_tokens


# --- ChatML (Qwen2.5 and others) for llama.cpp ----------------------------------------------


def chatml_messages_to_prompt(messages: Sequence) -> str:
    """llama-index ChatMessages in Qwen2.5's own chat template (ChatML), ready for the reply."""
    parts = []
    for message in messages:
        role = getattr(message.role, "value", message.role)
        parts.append(f"<|im_start|>{role}\n{message.content or ''}<|im_end|>\n")
    if not messages or getattr(messages[0].role, "value", messages[0].role) != "system":
        parts.insert(0, "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n")
    return "".join(parts) + "<|im_start|>assistant\n"


def chatml_completion_to_prompt(completion: str) -> str:
    return f"<|im_start|>system\n{SYSTEM_PROMPT}<|im_end|>\n<|im_start|>user\n{completion}<|im_end|>\n" \
           "<|im_start|>assistant\n"
