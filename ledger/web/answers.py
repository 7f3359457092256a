"""A bounded, thread-safe memory of answers already given, least recently used first out."""

import threading
from collections import OrderedDict
from collections.abc import Hashable

MAX_ANSWERS = 4096
MAX_BYTES = 64 * 1024 * 1024
LARGEST = 512 * 1024
"""Answers bigger than this are not kept: they would crowd out many small ones."""


class AnswerCache:
    def __init__(self, max_answers: int = MAX_ANSWERS, max_bytes: int = MAX_BYTES) -> None:
        self._answers: OrderedDict[Hashable, bytes] = OrderedDict()
        self._bytes = 0
        self._max_answers = max_answers
        self._max_bytes = max_bytes
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            body = self._answers.get(key)
            if body is None:
                self.misses += 1
                return None
            self._answers.move_to_end(key)
            self.hits += 1
            return body

    def put(self, key: Hashable, body: bytes) -> None:
        if len(body) > LARGEST:
            return
        with self._lock:
            old = self._answers.pop(key, None)
            if old is not None:
                self._bytes -= len(old)
            self._answers[key] = body
            self._bytes += len(body)
            while len(self._answers) > self._max_answers or self._bytes > self._max_bytes:
                _, dropped = self._answers.popitem(last=False)
                self._bytes -= len(dropped)

    def __len__(self) -> int:
        return len(self._answers)
