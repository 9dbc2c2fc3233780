"""Customer support: the FAQ, the contact form and tickets with message threads."""
