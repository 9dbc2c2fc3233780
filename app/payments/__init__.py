"""Payments: gateways as plugins, routing between them, and the payment pipeline.

``gateways`` (one provider API each, found through entry points, no database),
``services`` (starting, settling, refunding and reconciling payments; fraud; currencies),
``routes`` (customers, provider webhooks, staff, the sandbox page), ``tasks`` (RQ jobs) and
``models``. The walk-through is ``docs/payments.md``.
"""
