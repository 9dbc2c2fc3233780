"""Stock as customers see it: a status, never the exact count."""

from __future__ import annotations

from enum import StrEnum


class StockStatus(StrEnum):
    IN_STOCK = "in_stock"
    LOW_STOCK = "low_stock"
    OUT_OF_STOCK = "out_of_stock"


def stock_status(on_hand: int, low_threshold: int) -> StockStatus:
    if on_hand <= 0:
        return StockStatus.OUT_OF_STOCK
    if on_hand <= low_threshold:
        return StockStatus.LOW_STOCK
    return StockStatus.IN_STOCK
