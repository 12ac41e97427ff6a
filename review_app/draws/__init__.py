"""The expert draw (专家抽取), invitations and the confidentiality and conflict pledge."""
