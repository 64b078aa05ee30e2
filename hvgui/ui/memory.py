"""The window's memory discipline: Python's cyclic garbage collector out of the way of the GUI.

A full collection scans every object the process holds: with 10,000 VMs loaded, ~200,000, which
stopped the window for 50-100 ms, at whatever moment an allocation tipped the counters (often
in the middle of filling the grid). So:

- what is loaded at start (modules, Qt's wrappers) and what each refresh or apply took in
  (inventories, the models' rows) is *frozen* (``gc.freeze``): never scanned again, still
  freed by reference counting when replaced, as inventories hold no reference cycles;
- the oldest generation is collected by itself far less often (its threshold raised), and
  after each refresh round or apply at a moment of our choosing: a scan of only what is not
  frozen yet (what the round made: a few ms for 1,000 VMs), then that is frozen too;
- every ``THAW_EVERY`` rounds everything is thawed and collected once, so an object frozen while
  alive that became cyclic garbage since is freed after all.
"""

from __future__ import annotations

import gc

THAW_EVERY = 30
"""Rounds (refreshes and applies) between two collections of everything (thawed)."""
OLDEST_GENERATION_THRESHOLD = 100
"""Collections of the middle generation before the oldest is collected by itself (Python: 10)."""

_started = False


def start() -> None:
    """Freeze what is loaded by now and raise the oldest generation's threshold (once)."""
    global _started
    if _started:
        return
    _started = True
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, OLDEST_GENERATION_THRESHOLD)
    gc.freeze()


def tidy(*, thaw: bool = False) -> None:
    """After a refresh round or an apply: collect the garbage not frozen yet, then freeze what is
    left; ``thaw``: collect everything first."""
    if thaw:
        gc.unfreeze()
    gc.collect()
    gc.freeze()
