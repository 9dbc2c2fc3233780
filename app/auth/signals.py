"""Signals other domains subscribe to, so auth never imports them.

``user_logged_in`` fires after a successful login with the guest's cart token, if any:
the cart domain merges the guest cart into the user's.
"""

from blinker import Namespace

_signals = Namespace()

user_logged_in = _signals.signal("user-logged-in")
