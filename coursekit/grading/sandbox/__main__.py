"""``python -m coursekit.grading.sandbox --install | --self-test``."""
import argparse
import sys

from .kernelspec import install_kernelspec
from .options import DISPLAY_NAME


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coursekit.grading.sandbox",
                                     description="The grading sandbox's kernelspec and self-test.")
    parser.add_argument("--install", action="store_true", help="install the cnn-sandbox kernelspec into the venv")
    parser.add_argument("--prefix", help="with --install: prefix or Jupyter data folder")
    parser.add_argument("--self-test", action="store_true", help="start sandboxed kernels and prove each restriction")
    args = parser.parse_args(argv)
    if args.install:
        print(f"installed kernelspec {install_kernelspec(args.prefix)!r} ({DISPLAY_NAME})")
        return 0
    if args.self_test:
        from .self_test import self_test
        return self_test()
    parser.print_help()
    return 2


sys.exit(main())
