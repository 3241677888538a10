"""Shared test helpers: one OpenAI-compatible stub server and one way to run the CLI.

Test modules import these relatively (``from ..testing.openai_stub import serve``) so the
suite works under both pytest import modes (``prepend`` and ``importlib``); a bare
``from stub_server import ...`` only worked because pytest put each test folder on sys.path.
"""
