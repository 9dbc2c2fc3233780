"""Safaricom M-Pesa (Daraja STK push) as a Sokoni payment gateway plugin."""

from sokoni_gateway_mpesa.gateway import MpesaGateway

__all__ = ["MpesaGateway"]
