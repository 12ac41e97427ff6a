"""Long jobs run on the Huey queue, with a Job row for progress."""
