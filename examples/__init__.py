"""Example events, installed as the package data of ``ledger.examples``.

``seed-article.jsonl`` encodes a 2015 news article on joint Russian, Iranian, Hezbollah
and Iraqi operations rooms and force movements in Syria, in the analysts' own words;
``ledger demo`` loads it.
"""
