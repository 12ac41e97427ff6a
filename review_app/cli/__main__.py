"""``python -m review_app.cli``: the console script where it is not installed."""

from . import main

if __name__ == "__main__":  # not when imported (tests import every module of the package)
    main()
