"""One outbox for every message the system sends (invitations, reminders, result letters)."""
