"""``python -m ui [--host HOST] [--port PORT]``: serve the chat (see ``ui/server.py``)."""

import sys

from ui.server import main

if __name__ == "__main__":
    sys.exit(main())
