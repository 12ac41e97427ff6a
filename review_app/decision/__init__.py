"""Decision runs (入库决定) per track."""
