"""The errors a file or a request about documents can cause; each message says why, for the user."""


class IngestError(Exception):
    """A file that cannot be ingested."""


class UnsupportedFileError(IngestError):
    """The file's type is not one ingest reads."""


class FileTooLargeError(IngestError):
    """The file is larger than ``settings.max_file_mb``."""


class DocumentExistsError(IngestError):
    """A document of that file name or id is already in the corpus."""


class UnknownDocumentError(IngestError):
    """No document of that id is in the index (or it is not in the corpus folder)."""
