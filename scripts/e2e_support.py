"""What the end-to-end scripts share: a log line with the seconds since start, a free loopback port,
and a bounded wait for a condition (a connection refused while a server starts counts as not yet)."""
import socket
import time
import urllib.error

STARTED = time.monotonic()


def logger(name):
    """A `log(message)` that prints `[name   12.3s] message`."""
    def log(message):
        print(f"[{name} {time.monotonic() - STARTED:6.1f}s] {message}", flush=True)
    return log


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what, check, timeout, every=0.2):
    """Calls `check` every `every` seconds until it returns something true (returned), or fails after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
