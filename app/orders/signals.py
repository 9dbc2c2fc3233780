"""Signals of the order life cycle, for domains orders must not import (payments).

``order_status_changed`` fires after the commit of every transition, with the order and
the two statuses: payments listens for cancellations of paid orders to refund them.
"""

from blinker import Namespace

_signals = Namespace()

order_status_changed = _signals.signal("order-status-changed")
