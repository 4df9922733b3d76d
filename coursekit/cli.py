"""``coursekit``: one entry point for the course's jobs.

    coursekit build            master -> en/fa/tr sources -> nbgrader release/
    coursekit check-release    does a fresh build reproduce release/?
    coursekit demo             build, submit demo answers, autograde, feedback, export
    coursekit grade            autograde every submission with parallel workers, in the sandbox
    coursekit report           gradebook -> artifacts/report/report.html (+ grades_by_cell.csv)
    coursekit catalogs update  master -> templates -> translations/{notebook,messages}/<lang>.po
    coursekit catalogs check   can every catalog ship? (no fuzzy, untranslated or broken entries)
    coursekit catalogs stats   entries per catalog: translated, fuzzy, untranslated
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


def _grade(args):
    from .batch_grade import print_summary, run_batch

    started = time.perf_counter()
    results = run_batch(COURSE_ROOT, args.assignments or None, workers=args.workers)
    print_summary(results)
    print(f"batch finished in {time.perf_counter() - started:.1f} s")
    return 0 if all(r.ok for r in results) else 1


def _report(args):
    from .report import main as report_main

    return report_main(["--course-root", str(COURSE_ROOT)] + (["--out", args.out] if args.out else []))


def _print_stats(stats):
    print(f"{'catalog':34} {'entries':>7} {'translated':>10} {'fuzzy':>5} {'untranslated':>12}")
    for (domain, lang), n in stats.items():
        name = f"translations/{domain}/{lang}.po"
        print(f"{name:34} {n['entries']:>7} {n['translated']:>10} {n['fuzzy']:>5} {n['untranslated']:>12}")


def _catalogs_update(args):
    from .catalogs import update_course_catalogs

    _print_stats(update_course_catalogs(COURSE_ROOT, args.languages or None))
    return 0


def _catalogs_check(args):
    from .catalogs import check_course_catalogs

    problems = check_course_catalogs(COURSE_ROOT, args.languages or None)
    if problems:
        print(f"{len(problems)} translation problem(s); fix them in Poedit or Weblate (see translations/README.md):")
        print("\n".join(f"  {problem}" for problem in problems))
        return 1
    print("every catalog is complete and matches the master")
    return 0


def _catalogs_stats(args):
    from .catalogs import DOMAINS, catalog_path, catalog_stats, translated_languages

    _print_stats({(domain, lang): catalog_stats(catalog_path(COURSE_ROOT, domain, lang))
                  for lang in translated_languages(COURSE_ROOT, args.languages or None) for domain in DOMAINS})
    return 0


def _add_catalogs(sub):
    catalogs = sub.add_parser("catalogs", help="the translation catalogs in translations/")
    actions = catalogs.add_subparsers(dest="action", required=True)
    for name, run, text in [
        ("update", _catalogs_update, "extract the templates from the master and merge them into every catalog"),
        ("check", _catalogs_check, "list every entry that would stop the build; exit 1 if there is one"),
        ("stats", _catalogs_stats, "count the entries of every catalog by state"),
    ]:
        action = actions.add_parser(name, help=text)
        action.add_argument("languages", nargs="*", help="only these languages (default: all configured but en)")
        action.set_defaults(run=run)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="coursekit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build the student versions into release/")
    build.add_argument("languages", nargs="*", help="only these languages (default: all configured)")
    build.set_defaults(run=_build)
    sub.add_parser("check-release", help="check that release/ matches a fresh build").set_defaults(run=_check_release)
    sub.add_parser("demo", help="run the demo cycle").set_defaults(run=_demo)
    grade = sub.add_parser("grade", help="autograde every submission with parallel workers")
    grade.add_argument("assignments", nargs="*", help="only these assignments (default: all submitted)")
    grade.add_argument("--workers", type=int, default=0, help="worker processes (default: one per core)")
    grade.set_defaults(run=_grade)
    report = sub.add_parser("report", help="write the instructor report (HTML + CSV) from the gradebook")
    report.add_argument("--out", help="output folder (default: artifacts/report)")
    report.set_defaults(run=_report)
    _add_catalogs(sub)
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
