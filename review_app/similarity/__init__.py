"""雷同检测: text shared between applications, found, shown side by side and weighed."""
