"""Applications (申报书) and their sections."""
