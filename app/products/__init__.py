"""The catalog: categories, tags, products and their variants, prices, promotions, collections."""
