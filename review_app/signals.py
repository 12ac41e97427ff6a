"""The project's signals (blinker, as Flask's own): an area announces what happened and the
areas that care subscribe, so the announcing package imports none of them (DESIGN.md
section 12).

``state_changed``: an application changed state. Sent by ``workflow.service.fire`` with the
Flask app as sender and the keywords ``application``, ``from_state``, ``trigger``, ``actor``
and ``reason``. Receivers run inside the transition's unit of work: what they add is committed
with the new state or rolled back with it. Receivers are connected at app creation
(``review_app._connect_receivers``; connecting twice keeps one connection).
"""

from blinker import Namespace

signals = Namespace()

state_changed = signals.signal("state-changed")
