"""Build the site in this folder: `python build.py` is exactly `pressroom build .`.

Other commands pass through: `python build.py serve`, `python build.py --drafts`.
"""

import sys

from pressroom.cli import entry

if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        args = ["build", "."] + args
    entry(args)
