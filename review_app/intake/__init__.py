"""Intake (申报受理): reading the 申报书 (.docx) and the 附件2 summary (.xlsx), checking them
against the notice, and the prefecture endorsement flow."""
