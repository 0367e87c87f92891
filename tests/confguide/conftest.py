import pytest

from confguide import ratelimit


class Clock:
    """A clock the test moves by hand: `clock.now += 60`."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0


@pytest.fixture
def rate_clock(monkeypatch) -> Clock:
    """The rate limits' clock, stopped, so the time left in a window is known exactly."""
    clock = Clock()
    monkeypatch.setattr(ratelimit, "_clock", lambda: clock.now)
    return clock
