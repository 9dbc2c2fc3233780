"""Payments: gateways as plugins, routing between them, and (later) the payment pipeline.

Only the database-free layer lives here so far: ``gateways`` (one provider API each, found
through entry points) and ``services.gateway_factory`` (which gateways apply to a payment).
"""
