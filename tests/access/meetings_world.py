"""Meetings records of CCG A and CCG B in the permission matrix's world."""


def meetings_world(a, b, objects: dict, things: dict) -> dict:
    """Create the records, add API prefixes to `objects` (prefix -> (A's lookup, B's)),
    and return named records for the page routes (e.g. {"x_a": ..., "x_b": ...})."""
    return {}
