"""Payment services: the business rules of payments (routing today; the pipeline later)."""
