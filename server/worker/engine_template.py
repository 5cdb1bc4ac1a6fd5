"""The template engine processes are forked from (multiprocessing's forkserver).

Left to multiprocessing, the forkserver is a new interpreter that imports the engine's modules
again: ~80 MB of memory that is a copy of what the server has imported already. On Linux the
server forks the template from itself instead (`fork_template`), as it starts: the template, and
every engine process forked from it, then share the server's imported modules page for page
(copy-on-write) instead of holding their own. That is ~45 MB less for an idle server with its
warm engine process (docs/BENCHMARKS.md, "The engine template forked from the server").

The fork happens before the event loop starts and before any database connection is made, with
all imports done; the child closes every file descriptor but the forkserver's own (the listening
socket, log files, the embedded PostgreSQL's start-up pipes stay the server's alone) and runs
multiprocessing's forkserver loop. Elsewhere, or when the template has died or was stopped, the
next engine process start spawns one the usual way.
"""

import contextlib
import gc
import multiprocessing
import multiprocessing.context
import os
import socket
import sys
import threading
from multiprocessing import connection, forkserver, resource_tracker
from typing import Any

#: The module the template imports: the engine, the server modules it uses, the built-in pieces.
PRELOAD = "server.worker.engine_preload"

_CONTEXT: multiprocessing.context.BaseContext | None = None
#: The pid of the template `fork_template` forked from this process, if it did.
_forked_pid: int | None = None


def engine_context() -> multiprocessing.context.BaseContext:
    """Fork from a template that imported everything once (forkserver) where the OS has it;
    Windows starts each process afresh (spawn)."""
    global _CONTEXT
    if _CONTEXT is None:
        if "forkserver" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([PRELOAD])
            _CONTEXT = context
        else:
            _CONTEXT = multiprocessing.get_context("spawn")
    return _CONTEXT


def fork_template() -> bool:
    """Forks the template from this process (Linux), after importing what it needs here.

    Call it before the event loop starts and before any database connection exists. Returns
    whether a template was forked: not off Linux, nor when one runs already, nor when this
    process has other threads (one could hold a lock the fork would copy held, forever); the
    first engine process start then spawns one."""
    global _forked_pid
    if sys.platform != "linux" or engine_context().get_start_method() != "forkserver":
        return False
    if threading.active_count() > 1:
        return False
    __import__(PRELOAD)
    # What exists now is never collected again: a collection would write to every object
    # and so copy the pages the children share (here and in every engine process).
    gc.collect()
    gc.freeze()
    _without_resource_tracker()
    server = _forkserver()
    with server._lock:
        if server._forkserver_pid is not None:
            return False
        listener = socket.socket(socket.AF_UNIX)
        address = connection.arbitrary_address("AF_UNIX")  # type: ignore[attr-defined]
        listener.bind(address)
        os.chmod(address, 0o600)
        listener.listen()
        # Engine processes own the write end: the template exits once they and we have closed it.
        alive_r, alive_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the template
            try:
                _close_all_but({0, 1, 2, listener.fileno(), alive_r})
                forkserver.main(listener.fileno(), alive_r, [PRELOAD])
            finally:
                os._exit(0)  # nothing of the server's (atexit, finalizers) runs here
        os.close(alive_r)
        listener.close()
        server._forkserver_address = address
        server._forkserver_alive_fd = alive_w
        server._forkserver_pid = _forked_pid = pid
    return True


def _without_resource_tracker() -> None:
    """multiprocessing hands every forkserver child a pipe to its resource tracker: a process of
    its own (~2 MB here) that unlinks the named semaphores and shared memory a crashed process
    left. Neither the server nor its engine processes make any (their pipes are plain), so the
    pipe goes to /dev/null instead."""
    tracker: Any = resource_tracker._resource_tracker
    with tracker._lock:
        if tracker._fd is None:
            tracker._fd = os.open(os.devnull, os.O_WRONLY | os.O_CLOEXEC)


def forked() -> bool:
    """Whether the running template is the one `fork_template` forked from this process."""
    return _forked_pid is not None and _forkserver()._forkserver_pid == _forked_pid


def template_running() -> bool:
    """Whether the forkserver engine processes are forked from is running (cheap)."""
    if _CONTEXT is None or _CONTEXT.get_start_method() != "forkserver":
        return False
    return _forkserver()._forkserver_pid is not None


def stop_template() -> bool:
    """Stops the template, giving its memory back; the next start spawns one again (its imports
    take a second or so). Only when this process has no engine process alive (the template lives
    as long as any of them), and not a template forked from this process: that one holds little
    of its own (its pages are this process's), where a spawned one holds ~80 MB. Returns whether
    one was stopped."""
    if not template_running() or multiprocessing.active_children() or forked():
        return False
    _forkserver()._stop()  # closes its "alive" pipe and waits for it to exit
    return True


def _close_all_but(keep: set[int]) -> None:
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd not in keep:
            with contextlib.suppress(OSError):  # the directory's own descriptor, gone already
                os.close(fd)


def _forkserver() -> Any:
    return forkserver._forkserver  # no public handle
