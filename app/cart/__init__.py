"""Carts (for users and guests) and coupons."""
