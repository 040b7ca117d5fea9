"""The assistant: hybrid retrieval and grounded Swedish answers with exact citations.

The public interface used by the UI and the CLI::

    from assistant import Assistant, Filters
    answer = Assistant().ask("Vad står BVC för?")
"""

from assistant.engine import Assistant
from assistant.types import Answer, Citation, DocumentSummary, Filters, Passage

__all__ = ["Answer", "Assistant", "Citation", "DocumentSummary", "Filters", "Passage"]
