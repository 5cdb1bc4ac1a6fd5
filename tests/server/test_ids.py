"""Row ids: 21 characters of [A-Za-z0-9], every character equally likely."""

import collections
import string

from server.db.base import new_id


def test_ids_are_21_letters_and_digits_and_do_not_repeat() -> None:
    ids = [new_id() for _ in range(5000)]
    assert len(set(ids)) == len(ids)
    alphabet = set(string.ascii_letters + string.digits)
    assert all(len(one) == 21 and set(one) <= alphabet for one in ids)


def test_every_character_is_used_at_every_position() -> None:
    ids = [new_id() for _ in range(4000)]
    for position in (0, 10, 20):  # the first and the last digits of the number too
        counts = collections.Counter(one[position] for one in ids)
        # 62 characters, ~65 times each: a skewed draw leaves some out or favours a few.
        assert len(counts) == 62
        assert max(counts.values()) < 130
