"""Staff analytics: sales, products, payments and stock figures computed from the live tables."""
