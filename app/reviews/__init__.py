"""Reviews: one per customer and product, moderated by staff, summarised on the product."""
