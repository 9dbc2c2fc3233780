"""Delivery: addresses, shipping zones and methods, bus-station pickup, collection codes."""
