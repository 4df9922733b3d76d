"""``coursekit``: one entry point for the course's jobs.

    coursekit build            master -> en/fa/tr sources -> nbgrader release/
    coursekit check-release    does a fresh build reproduce release/?
    coursekit demo             build, submit demo answers, autograde, feedback, export
"""
import argparse
import sys
import time

from . import COURSE_ROOT


def _build(args):
    from .build_release import build_all

    for release in build_all(COURSE_ROOT, args.languages or None):
        print(f"built {release.relative_to(COURSE_ROOT)}")
    return 0


def _check_release(args):
    from .release_sync import check_release

    problems = check_release(COURSE_ROOT)
    if problems:
        print("release/ is out of date; run `coursekit build` and commit the result:")
        print("\n".join(f"  {line}" for line in problems))
        return 1
    print("release/ matches a fresh build")
    return 0


def _demo(args):
    from .demo_cycle import run_demo

    started = time.perf_counter()
    run_demo(COURSE_ROOT)
    print(f"demo cycle finished in {time.perf_counter() - started:.1f} s")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="coursekit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build the student versions into release/")
    build.add_argument("languages", nargs="*", help="only these languages (default: all configured)")
    build.set_defaults(run=_build)
    sub.add_parser("check-release", help="check that release/ matches a fresh build").set_defaults(run=_check_release)
    sub.add_parser("demo", help="run the demo cycle").set_defaults(run=_demo)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except Exception as err:  # one clear line for known failures, not a traceback
        from .build_release import BuildError
        if isinstance(err, BuildError):
            print(f"coursekit {args.command}: {err}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
