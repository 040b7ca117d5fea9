"""``python -m ui``: serve the chat on ``FSA_UI_HOST:FSA_UI_PORT`` (login when ``FSA_UI_AUTH`` is set)."""

from ui.app import main

if __name__ == "__main__":
    main()
