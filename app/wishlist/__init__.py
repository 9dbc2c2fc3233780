"""Wishlist: products a customer keeps for later, priced as the catalog prices them now."""
