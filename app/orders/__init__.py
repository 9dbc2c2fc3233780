"""Checkout, orders and their life cycle."""
