"""会议评审（答辩）: a track scored by its panel in a meeting with the enterprises' 答辩."""
