"""Programs (培育批次), their tracks and the prefecture quotas of 附件3."""
