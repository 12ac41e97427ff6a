"""The dossier the 厅 reviews beside the 申报书: the prefecture's 推荐函 and 地市审核意见 and the
审核情况表 built from them (issue 21)."""
