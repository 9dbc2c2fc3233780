"""Flask-Admin views of each domain, grouped by menu category."""
