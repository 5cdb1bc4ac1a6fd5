"""Resident memory of a group of processes counted once: the distinct physical pages they map.

Summed RSS counts a page every process maps once per process (the server, the engine template
and the engine processes forked from it share most of theirs; PostgreSQL's backends share its
buffers); PSS splits such a page among its processes but also hands a share of libc's pages to
the rest of the machine. The distinct pages are what the group holds: /proc/<pid>/pagemap gives
each resident page's frame number (readable as root; None otherwise).
"""

import struct
from collections.abc import Iterable

PAGE = 4096
_PRESENT = 1 << 63
_FRAME = (1 << 55) - 1


def resident_mb(pids: Iterable[int]) -> float | None:
    """MB of distinct physical pages resident in the processes, or None without the rights."""
    frames: set[int] = set()
    for pid in pids:
        try:
            frames |= _frames(pid)
        except (FileNotFoundError, ProcessLookupError):
            continue  # gone meanwhile
        except PermissionError:
            return None
    if frames == {0}:  # frame numbers hidden: not root
        return None
    return len(frames) * PAGE / 2**20


def _frames(pid: int) -> set[int]:
    found: set[int] = set()
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/pagemap", "rb") as pagemap:
        for line in maps:
            if line.rstrip().endswith("[vsyscall]"):
                continue
            start, end = (int(part, 16) for part in line.split()[0].split("-"))
            pagemap.seek(start // PAGE * 8)
            for (entry,) in struct.iter_unpack("<Q", pagemap.read((end - start) // PAGE * 8)):
                if entry & _PRESENT:
                    found.add(entry & _FRAME)
    return found
