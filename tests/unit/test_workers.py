"""The forked pool: workers that die when the pool stops them, and forks that happen only
while the program's other threads wait where they hold no lock."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import threading

import pytest

from pressroom import workers
from tests.conftest import ROOT

ITEMS = list(range(200))  # enough for a pool with minimum=10


@pytest.fixture(autouse=True)
def two_workers(monkeypatch):
    monkeypatch.setenv("PRESSROOM_WORKERS", "2")  # a pool even on a one-core machine


def signals_in_worker(chunk):
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    return [(signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT), signal.SIGTERM in blocked)]


def test_a_worker_dies_on_term_and_leaves_ctrl_c_to_the_building_process():
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)  # as `pressroom serve` does
    try:
        seen = {state for states in workers.run_chunks(signals_in_worker, ITEMS, share={}, minimum=10) for state in states}
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert seen == {(signal.SIG_DFL, signal.SIG_IGN, False)}


def test_pools_stop_cleanly_where_term_is_turned_into_ctrl_c():
    """The cause of a preview that hung in its first build: a worker inherited `pressroom serve`'s
    Python handler for TERM; the pool stops its workers with TERM, and one that got it just as
    it went to sleep on the pool's queue never ran the handler and slept for ever. Before the
    fix, nearly every pool also printed a KeyboardInterrupt traceback per worker."""
    script = textwrap.dedent("""
        import signal, threading
        from pressroom import workers

        def work(chunk):
            return len(chunk)

        def pools(count):
            for _ in range(count):
                assert sum(workers.run_chunks(work, list(range(400)), share={}, minimum=10)) == 400

        signal.signal(signal.SIGTERM, signal.default_int_handler)
        pools(40)
        builder = threading.Thread(target=pools, args=(40,))  # the preview builds on its watcher thread
        builder.start()
        builder.join()
        print("done")
    """)
    env = {"PYTHONPATH": str(ROOT), "PRESSROOM_WORKERS": "2", "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # its hung workers too
        process.communicate()
        pytest.fail("the pools hung")
    assert (process.returncode, stdout, stderr) == (0, "done\n", "")


LOCK = threading.Lock()  # held now and then by a thread of "the program", as a stream's lock is


def lock_in_worker(chunk):
    got = LOCK.acquire(timeout=2)  # a lock copied while held stays held in the worker
    if got:
        LOCK.release()
    return [got]


def test_a_lock_held_by_another_thread_is_never_copied_held_into_a_worker():
    stop, pause_wanted, parked, resume = (threading.Event() for _ in range(4))

    def busy():
        while not stop.is_set():
            if pause_wanted.is_set():
                parked.set()
                resume.wait()
            with LOCK:
                sum(range(2000))

    @contextlib.contextmanager
    def pause():
        resume.clear()
        pause_wanted.set()
        parked.wait()
        try:
            yield
        finally:
            pause_wanted.clear()
            parked.clear()
            resume.set()

    thread = threading.Thread(target=busy, daemon=True)
    thread.start()
    try:
        with workers.quiet_while_forking(pause):
            results = [got for _ in range(15) for gots in workers.run_chunks(lock_in_worker, ITEMS, share={}, minimum=10) for got in gots]
    finally:
        stop.set()
        resume.set()
        thread.join(5)
    assert results and all(results)
    assert workers._pauses == []  # the pause is gone with its block


def run_and_interrupt(script: str, after: float) -> tuple[str, str]:
    """Run `script` (it prints "pool" as its pool starts), press Ctrl-C `after` seconds later,
    and return what it printed; a script still running a minute later has hung."""
    env = {"PYTHONPATH": str(ROOT), "PRESSROOM_WORKERS": "2", "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline() == "pool\n"
    time.sleep(after)
    process.send_signal(signal.SIGINT)
    try:
        return process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        subprocess.run(["pkill", "-9", "-P", str(process.pid)], check=False)  # its workers first
        process.kill()
        process.communicate()
        pytest.fail("the pool hung after Ctrl-C")


def test_ctrl_c_during_a_long_pool_stops_it_after_the_chunk_at_hand():
    """Ctrl-C is held back while a pool runs (arriving inside the pool's own machinery it can
    hang it), but only until the next chunk comes back, not until the whole pool is done."""
    script = textwrap.dedent("""
        import multiprocessing, time
        from pressroom import workers

        def slow(chunk):
            time.sleep(1.5)
            return len(chunk)

        started = time.monotonic()
        print("pool", flush=True)
        try:
            done = sum(workers.run_chunks(slow, list(range(400)), share={}, minimum=10))  # 1.5 s a chunk, 20 chunks
        except KeyboardInterrupt:
            print(f"interrupted after {time.monotonic() - started:.1f} s, workers left: {len(multiprocessing.active_children())}")
        else:
            print(f"all {done} done")
    """)
    stdout, stderr = run_and_interrupt(script, after=0.5)
    seconds, left = re.fullmatch(r"interrupted after ([\d.]+) s, workers left: (\d+)\n", stdout).groups()
    assert float(seconds) < 4.5 and int(left) == 0 and stderr == ""


def test_ctrl_c_while_workers_send_big_results_does_not_hang_the_pool():
    """A worker killed while it sends a result takes the pool's result-queue lock with it, and
    multiprocessing's pool.terminate() then waits for that lock for ever: a Ctrl-C hung a build
    whose workers were sending parsed releases back. Here each result is 150 MB, so a worker is
    always sending when the first result comes back and the Ctrl-C is acted on (with
    terminate(), three runs in four hung)."""
    script = textwrap.dedent("""
        from pressroom import workers

        def big(chunk):
            return b"x" * 150_000_000

        print("pool", flush=True)
        try:
            for _ in workers.run_chunks(big, list(range(40)), share={}, minimum=10):
                pass
        except KeyboardInterrupt:
            print("interrupted", flush=True)
    """)
    for _ in range(2):
        assert run_and_interrupt(script, after=0.05) == ("interrupted\n", "")


def test_a_stopped_pool_skips_the_chunks_not_started_and_the_rest_of_those_at_hand():
    """After an interrupt, work not yet begun is skipped, and the chunk at hand ends at its
    next item (the work sees no more of it), so Ctrl-C is answered within about one item."""
    script = textwrap.dedent("""
        import time
        from pressroom import workers

        def slow_items(chunk):
            done = 0
            for item in chunk:
                time.sleep(0.1)
                done += 1
            return done

        started = time.monotonic()
        print("pool", flush=True)
        try:
            sum(workers.run_chunks(slow_items, list(range(600)), share={}, minimum=10))  # 12 chunks of 50 items first: 30 s
        except KeyboardInterrupt:
            print(f"{time.monotonic() - started:.1f}", flush=True)
    """)
    stdout, stderr = run_and_interrupt(script, after=0.5)
    assert stderr == "" and float(stdout) < 3.0, stdout  # the chunk at hand would take 5 s


@pytest.fixture
def as_on_the_command_line(monkeypatch):
    """One thread, as in `pressroom build` (earlier tests in this process may have left some
    of theirs waiting; the work forked here takes no lock they could hold)."""
    monkeypatch.setattr(workers.threading, "active_count", lambda: 1)


def test_work_soon_in_another_process_runs_there_and_answers_here(as_on_the_command_line):
    started = time.monotonic()
    answer = workers.soon_in_another_process(lambda: (os.getpid(), time.sleep(0.5), {"news/a/": (0, 1)}))
    assert time.monotonic() - started < 0.3  # the caller goes on meanwhile
    pid, _, states = answer()
    assert pid != os.getpid() and states == {"news/a/": (0, 1)}
    assert answer() == (pid, None, states)  # asked again: the same answer


def test_work_that_fails_in_the_other_process_runs_here_when_the_answer_is_wanted(as_on_the_command_line):
    parent = os.getpid()

    def work():
        if os.getpid() != parent:
            raise OSError("a disk that went away")
        return "answered here"

    assert workers.soon_in_another_process(work)() == "answered here"


def test_the_other_process_does_not_hold_the_build_lock(tmp_path, as_on_the_command_line):
    """It gets copies of the building process's files, the locked one among them: the next
    build must get the lock as soon as this one lets it go, not when that process ends."""
    from pressroom.errors import BuildFailed
    from pressroom.write import build_lock

    output = tmp_path / "output"
    before = _children()
    with build_lock(output):
        answer = workers.soon_in_another_process(lambda: time.sleep(2) or os.getpid())
    assert _children() - before, "no other process was started"
    try:
        with build_lock(output):
            pass
    except BuildFailed as failure:
        pytest.fail(f"the lock was still held: {failure.errors}")
    assert answer() != os.getpid()


def test_an_answer_never_asked_for_leaves_no_process_behind(as_on_the_command_line):
    before = _children()  # earlier tests' processes, if any
    answer = workers.soon_in_another_process(lambda: b"x" * 1_000_000)  # more than a pipe holds
    children = _children() - before
    assert children, "no other process was started"
    del answer
    import gc
    gc.collect()
    assert not (_children() & children)


def _children() -> set[int]:
    found = set()
    for task in os.listdir(f"/proc/{os.getpid()}/task"):
        with contextlib.suppress(OSError):
            found |= {int(pid) for pid in open(f"/proc/{os.getpid()}/task/{task}/children").read().split()}
    return found


def test_where_other_threads_run_the_work_is_done_here_when_the_answer_is_wanted():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        answer = workers.soon_in_another_process(os.getpid)
        assert answer() == os.getpid()
    finally:
        stop.set()
        thread.join()
