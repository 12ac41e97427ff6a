"""The panel's record: comments beside scores, 复议 threads, 专家组意见, signed sheets."""
