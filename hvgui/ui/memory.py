"""The window's memory discipline: Python's cyclic garbage collector out of the way of the GUI.

A full collection scans every object the process holds: with 10,000 VMs loaded, ~200,000, which
stopped the window for 50-100 ms, at whatever moment an allocation tipped the counters (often
in the middle of filling the grid). So:

- what is loaded at start (modules, Qt's wrappers) and what each refresh or apply took in
  (inventories, the models' rows) is *frozen* (``gc.freeze``): never scanned again, still
  freed by reference counting when replaced, as inventories hold no reference cycles;
- the collector's oldest generation runs far less often by itself (its threshold raised);
- after each refresh round or apply the young garbage is collected, and every
  ``FULL_COLLECTION_EVERY`` rounds all of it (a scan of only what is not frozen yet), so cyclic
  garbage is not frozen for good.
"""

from __future__ import annotations

import gc

FULL_COLLECTION_EVERY = 10
"""Rounds (refreshes and applies) between two full collections of the cyclic garbage."""
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


def tidy(*, full: bool = False) -> None:
    """After a refresh round or an apply: collect the young garbage (``full``: all that is not
    frozen), then freeze what is left."""
    gc.collect(2 if full else 1)
    gc.freeze()
