"""Accounts, profiles, JWT sessions and password management."""
