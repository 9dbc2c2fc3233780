"""Cross-domain building blocks: errors, API plumbing, permissions, money, jobs."""
