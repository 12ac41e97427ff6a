"""The application state machine (DESIGN.md section 1).

``states`` names the states, ``machine`` holds the transition table, ``guards`` the refusals,
``service`` fires transitions with their audit events.
"""
