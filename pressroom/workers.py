"""Both cores at work: a pool of forked processes for parsing and for rendering.

Python-Markdown and Jinja2 are pure Python, so one process uses one core. Work is handed
out in chunks large enough that the hand-over costs little, and small builds (a rebuild
after one edit) stay in one process, where starting a pool would cost more than it saves.
Workers are forked, so they start with what the building process has already loaded:
the configuration, and for rendering the whole site index, without copying it through a pipe.

Forking is safe only when no other thread is in the middle of something: a worker gets a
copy of every lock as it was, and one held by another thread stays held in the worker for
ever. A program that runs threads beside its builds (the preview's web server) names them
with quiet_while_forking(), and each pool is forked while they wait. And a worker must die
when TERM reaches it: it must not inherit a Python handler for TERM (`pressroom serve` has
one), which a TERM arriving just as the worker goes to sleep on the pool's queue never runs,
so that the worker, and the build waiting for it, would hang. The pool itself never kills a
worker to stop early (see run_chunks): it tells them to stop, through shared memory.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import signal
import threading
import weakref
from collections.abc import Sequence as SequenceABC
from typing import Any, Callable, ContextManager, Iterator, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_shared: dict[str, Any] = {}  # what forked workers inherit for the duration of one pool
_STOP = "pressroom.workers.stop"  # in _shared: set when the pool is to stop
_pauses: list[Callable[[], ContextManager[None]]] = []  # see quiet_while_forking


def worker_count() -> int:
    """PRESSROOM_WORKERS if set (1 turns the pool off), else the cores this process may use."""
    wanted = os.environ.get("PRESSROOM_WORKERS", "").strip()
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def shared(name: str) -> Any:
    """A value the building process shared with this pool's workers."""
    return _shared[name]


def sharing(share: dict[str, Any], work: Callable[..., R], *args: Any) -> R:
    """work(*args) where workers.shared() finds `share`: for work that runs outside a pool,
    here or in a process of soon_in_another_process()."""
    _shared.clear()
    _shared.update(share)
    try:
        return work(*args)
    finally:
        _shared.clear()


def _here(work: Callable[[Sequence[T]], R], items: Sequence[T]) -> Iterator[R]:
    """work() in this process, on all the items at once (if any)."""
    if items:
        yield work(items)


def run_chunks(
    work: Callable[[Sequence[T]], R],
    items: Sequence[T],
    *,
    share: dict[str, Any],
    minimum: int,
) -> Iterator[R]:
    """work(chunk) for chunks of items, in a forked pool when there are at least `minimum`
    items and more than one core; results come back as they are ready, in no set order.
    A pool stopped early ends the chunk at hand at its next item: iterating it stops."""
    workers = worker_count()
    _shared.clear()
    _shared.update(share)
    try:
        if workers == 1 or len(items) < minimum:
            yield from _here(work, items)
            return
        import multiprocessing  # here, not at the top: most rebuilds make too few outputs for a pool (15 ms)

        if "fork" not in multiprocessing.get_all_start_methods():
            yield from _here(work, items)
            return
        context = multiprocessing.get_context("fork")
        _shared[_STOP] = stop = context.RawValue("b", 0)  # shared memory, seen by the workers
        with signals_held(frozenset({signal.SIGINT})):  # Ctrl-C inside the pool's machinery can hang it
            with _others_paused(), signals_held(frozenset({signal.SIGTERM})):  # until each worker has let TERM kill it
                pool = context.Pool(workers, initializer=_become_worker)
            try:
                results = pool.imap_unordered(functools.partial(_unless_stopped, work), _shrinking_chunks(items, workers))
                while True:
                    try:
                        result = results.next(timeout=0.1)  # a Ctrl-C is looked for ten times a second
                    except multiprocessing.TimeoutError:
                        stop_if_interrupted()
                        continue
                    except StopIteration:
                        break
                    stop_if_interrupted()
                    yield result
            finally:
                # Never pool.terminate(): a worker it kills while sending a result takes the
                # result queue's lock with it, and the pool then waits for that lock for ever
                # (a Ctrl-C hung the build). Workers are told to stop instead: the chunk at
                # hand ends at its next item, the rest are skipped, and they end as it closes.
                stop.value = 1
                pool.close()
                pool.join()
    finally:
        _shared.clear()


def _stopping() -> bool:
    """In a worker: the building process stopped the pool (Ctrl-C, an error); whatever is
    left of the chunk at hand is not wanted."""
    flag = _shared.get(_STOP)
    return flag is not None and flag.value != 0


def _unless_stopped(work: Callable[[Sequence[T]], R], chunk: Sequence[T]) -> R | None:
    return None if _stopping() else work(_UntilStopped(chunk))


class _UntilStopped(SequenceABC):
    """A chunk whose iteration ends once the pool is stopped (what is made of it then is
    thrown away, so its length may as well stay what it was)."""

    def __init__(self, items: Sequence[Any]):
        self._items = items

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index):
        return self._items[index]

    def __iter__(self) -> Iterator[Any]:
        for item in self._items:
            if _stopping():
                return
            yield item


def can_fork() -> bool:
    """Whether soon_in_another_process() forks: another core, and no other thread whose
    locks the fork could copy held."""
    return worker_count() > 1 and not _pauses and threading.active_count() == 1 and hasattr(os, "fork")


def soon_in_another_process(work: Callable[[], T]) -> Callable[[], T]:
    """work() in a forked process, on the other core, while this one goes on with the
    build; call the result to wait for the answer (a thread would not help: the GIL lets
    one of them run at a time). For work that only reads and returns a picklable answer.
    Where no fork is safe (other threads, one core) or the process fails, work() runs here
    when the answer is wanted."""
    if not can_fork():
        return work
    read_end, write_end = os.pipe()
    with signals_held(frozenset({signal.SIGINT, signal.SIGTERM})):
        pid = os.fork()
        if pid == 0:
            _answer_and_exit(work, write_end)
    os.close(write_end)
    answer = _Answer(read_end, pid)

    def result() -> T:
        data = answer.read()
        return pickle.loads(data) if data else work()

    weakref.finalize(result, answer.close)  # asked for or not, the process is waited for
    return result


def _answer_and_exit(work: Callable[[], Any], write_end: int) -> None:
    """In the forked process: ignore Ctrl-C (the building process decides), let go of every
    file the parent has open (a lock is held while any copy of its file is), answer, exit."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, set())
        os.closerange(3, write_end)
        os.closerange(write_end + 1, os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 65536)
        data = pickle.dumps(work(), pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as out:
            out.write(data)
        code = 0
    finally:
        os._exit(code)


class _Answer:
    """The pipe from a process of soon_in_another_process(), read once, and the process."""

    def __init__(self, fd: int, pid: int):
        self.fd, self.pid, self.data = fd, pid, b""

    def read(self) -> bytes:
        if self.fd >= 0:
            try:
                with os.fdopen(self.fd, "rb") as pipe:
                    self.data = pipe.read()
            except OSError:
                self.data = b""
            self.fd = -1
            self._reap()
        return self.data

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # the process, if still writing, stops on the broken pipe
            self.fd = -1
        self._reap()

    def _reap(self) -> None:
        if self.pid:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.pid = 0


@contextlib.contextmanager
def quiet_while_forking(pause: Callable[[], ContextManager[None]]) -> Iterator[None]:
    """Inside this block, every pool is forked inside `pause()`, which holds this program's
    other threads (all but the one building) where they hold no lock."""
    _pauses.append(pause)
    try:
        yield
    finally:
        _pauses.remove(pause)


@contextlib.contextmanager
def _others_paused() -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        for pause in list(_pauses):
            stack.enter_context(pause())
        yield


def _become_worker() -> None:
    """In each new worker: TERM kills it at once, and Ctrl-C is the building process's."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})


@contextlib.contextmanager
def signals_held(held: frozenset = frozenset({signal.SIGINT, signal.SIGTERM}), too_late: bool = False) -> Iterator[None]:
    """Ctrl-C (and kill, TERM) wait until the block is done; workers forked inside inherit
    that (a pool's workers let TERM in again: the pool stops them with it). With too_late,
    one that arrived while the block succeeded is dropped: it came when there was nothing
    left to stop (the new site was in place)."""
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, OSError, ValueError):
        previous = None
    succeeded = False
    try:
        yield
        succeeded = True
    finally:
        if previous is not None:
            if too_late and succeeded:
                for number in signal.sigpending() & held:
                    signal.sigtimedwait([number], 0)
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def stop_if_interrupted() -> None:
    """While the pool runs, outside its machinery: a Ctrl-C held back meanwhile stops the build
    now rather than when the whole pool is done (a minute, for a large site)."""
    if signal.SIGINT in signal.sigpending():
        signal.sigtimedwait([signal.SIGINT], 0)
        raise KeyboardInterrupt


def _shrinking_chunks(items: Sequence[T], workers: int, smallest: int = 8) -> Iterator[Sequence[T]]:
    """Chunks of a sixth of the items per worker, then of a third of what is left per worker,
    so that they get smaller towards the end and the workers finish together: with twelve
    chunks of one size, one core waited 1.5 s for the other's last chunk of 15,000 pages
    (items differ in cost: a tag page, the sitemap). Not larger at first, so the results
    the building process holds at once stay as they were (larger first chunks raised its
    peak by 11 MiB); 38 chunks for 10,000 items."""
    largest = -(-len(items) // (6 * workers))
    start = 0
    while start < len(items):
        size = max(smallest, min(largest, -(-(len(items) - start) // (3 * workers))))
        yield items[start : start + size]
        start += size
