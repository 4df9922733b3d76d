"""``coursekit``: one entry point for the course's jobs, in pipeline order.

    coursekit catalogs update  master -> templates -> translations/{notebook,messages}/<lang>.po
    coursekit catalogs check   can every catalog ship? (no fuzzy, untranslated or broken entries)
    coursekit catalogs stats   entries per catalog: translated, fuzzy, untranslated
    coursekit build            master -> one source per language -> nbgrader release/
    coursekit check-release    does a fresh build reproduce release/?
    coursekit grade            autograde every submission with parallel workers, in the sandbox
    coursekit export           gradebook -> grades.csv (nbgrader's) + grades_canvas.csv + grades_moodle.csv
    coursekit report           gradebook -> artifacts/report/report.html (+ grades_by_cell.csv)
    coursekit hub              the course on a JupyterHub with nbgrader's exchange (docs/hub.md)
    coursekit similarity       submissions -> artifacts/report/similarity.html: similar pairs, side by side
    coursekit demo             build, submit demo answers, autograde, feedback, export, report
    coursekit options          every option of the kit, with its default, as nbgrader_config.py lines

Every command works on the course it is run in: the current folder or the
nearest parent that holds nbgrader_config.py, or the folder given with
--course-root.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .course import Course, CourseError


def _build(course, args):
    from .build.release import build_all

    for release in build_all(course, args.languages or None):
        print(f"built {course.relative(release)}")
    return 0


def _check_release(course, args):
    from .build.release_sync import check_release

    problems = check_release(course)
    if problems:
        print("release/ is out of date; run `coursekit build` and commit the result:")
        print("\n".join(f"  {line}" for line in problems))
        return 1
    print("release/ matches a fresh build")
    return 0


def _demo(course, args):
    from .demo.cycle import run_demo

    started = time.perf_counter()
    run_demo(course)
    print(f"demo cycle finished in {time.perf_counter() - started:.1f} s")
    return 0


def _grade(course, args):
    from .grading.batch import print_summary, run_batch

    started = time.perf_counter()
    results = run_batch(course, args.assignments or None, workers=args.workers, scheduler=args.scheduler)
    print_summary(results)
    print(f"batch finished in {time.perf_counter() - started:.1f} s")
    return 0 if all(r.ok for r in results) else 1


def _export(course, args):
    from .export.files import export_grades

    for path in export_grades(course, Path(args.out) if args.out else course.root):
        print(f"wrote {course.relative(path)}")
    return 0


def _hub(course, args):
    from .hub.run import run_hub

    return run_hub(course, args.extra)


def _report(course, args):
    from .report.page import write_report

    print(write_report(course, Path(args.out) if args.out else None, args.assignments))
    return 0


def _similarity(course, args):
    from .similarity.options import SimilarityReport
    from .report.page import report_dir
    from .similarity.page import write_similarity

    options = SimilarityReport(config=course.config)
    if args.references:
        options.reference_dirs = list(options.reference_dirs) + [str(Path(d).resolve()) for d in args.references]
    if args.threshold is not None:
        if not 0.0 <= args.threshold <= 1.0:
            print(f"coursekit similarity: --threshold {args.threshold:g}: a similarity is from 0 to 1", file=sys.stderr)
            return 2
        options.threshold = args.threshold
    out = Path(args.out) if args.out else report_dir(course)
    page, result = write_similarity(course, out, options)
    print(f"{result.submissions} submissions, {len(result.flagged)} pair(s) at or above "
          f"{100 * result.threshold:.0f}% similarity ({result.seconds:.1f} s); similar is not copied: read the "
          "shared code on the page")
    for pair in result.flagged[:20]:
        print(f"  {100 * pair.score:3.0f}%  {pair.left.label}  {pair.right.label}")
    for pair in result.flagged_references[:20]:
        print(f"  {100 * pair.score:3.0f}%  {pair.left.label}  reference {pair.right.label}")
    for skipped in result.extracted.skipped:
        print(f"  not compared: {skipped}")
    print(page)
    return 0


def _options(course, args):
    from .options import all_options

    print(all_options())
    return 0


def _print_stats(course, stats):
    print(f"{'catalog':34} {'entries':>7} {'translated':>10} {'fuzzy':>5} {'untranslated':>12}")
    for (domain, lang), n in stats.items():
        name = course.relative(course.catalog_path(domain, lang))
        print(f"{name:34} {n['entries']:>7} {n['translated']:>10} {n['fuzzy']:>5} {n['untranslated']:>12}")


def _catalogs_update(course, args):
    from .translation.course_catalogs import update_course_catalogs

    _print_stats(course, update_course_catalogs(course, args.languages or None))
    return 0


def _catalogs_check(course, args):
    from .translation.course_catalogs import check_course_catalogs

    problems = check_course_catalogs(course, args.languages or None)
    if problems:
        print(f"{len(problems)} translation problem(s); fix them in Poedit or Weblate (see translations/README.md):")
        print("\n".join(f"  {problem}" for problem in problems))
        return 1
    print("every catalog is complete and matches the master")
    return 0


def _catalogs_stats(course, args):
    from .translation.catalogs import DOMAINS, catalog_stats
    from .translation.course_catalogs import languages_to_translate

    _print_stats(course, {(domain, lang): catalog_stats(course.catalog_path(domain, lang))
                          for lang in languages_to_translate(course, args.languages or None) for domain in DOMAINS})
    return 0


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--course-root", type=Path, default=argparse.SUPPRESS,
                        help="the course folder (default: the current folder or the nearest parent with "
                             "nbgrader_config.py)")
    parser = argparse.ArgumentParser(prog="coursekit", description=__doc__, parents=[common],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name, run, text):
        action = sub.add_parser(name, help=text, description=text, parents=[common])
        action.set_defaults(run=run)
        return action

    catalogs = sub.add_parser("catalogs", help="the translation catalogs in translations/", parents=[common])
    actions = catalogs.add_subparsers(dest="action", required=True)
    for name, run, text in [
        ("update", _catalogs_update, "extract the templates from the master and merge them into every catalog"),
        ("check", _catalogs_check, "list every entry that would stop the build; exit 1 if there is one"),
        ("stats", _catalogs_stats, "count the entries of every catalog by state"),
    ]:
        action = actions.add_parser(name, help=text, description=text, parents=[common])
        action.add_argument("languages", nargs="*", help="only these languages (default: all configured but en)")
        action.set_defaults(run=run)
    command("build", _build, "build the student versions into release/").add_argument(
        "languages", nargs="*", help="only these languages (default: all configured)")
    command("check-release", _check_release, "check that release/ matches a fresh build")
    grade = command("grade", _grade, "autograde every submission with parallel workers, in the sandbox")
    grade.add_argument("assignments", nargs="*", help="only these assignments (default: all submitted)")
    grade.add_argument("--workers", type=int, default=0, help="worker processes (default: c.BatchGrade.workers, "
                                                               "0 meaning one per core)")
    grade.add_argument("--scheduler", metavar="ADDRESS", default=None,
                       help="grade on the Dask cluster of this scheduler, tcp://host:8786 (default: "
                            "c.BatchGrade.scheduler; empty: local workers); see docs/large-class.md")
    command("export", _export, "write nbgrader's grades.csv and the grade import files of Canvas and Moodle "
                               "beside it").add_argument("--out", help="output folder (default: the course root)")
    report = command("report", _report, "write the instructor report (HTML + CSV) from the gradebook")
    report.add_argument("--out", help="output folder (default: c.InstructorReport.out_directory)")
    report.add_argument("--assignment", action="append", dest="assignments", metavar="NAME",
                        help="report only this assignment (repeatable; default: all)")
    command("hub", _hub, "run the course on a JupyterHub: nbgrader's exchange, Formgrader, the students' "
                         "Assignments tab (docs/hub.md); any --JupyterHub.option=value given after it is passed on "
                         "to JupyterHub")
    similarity = command("similarity", _similarity, "rank every pair of submissions by the code they share "
                         "(all languages), and match them with reference solutions; writes similarity.html")
    similarity.add_argument("--out", help="output folder (default: c.InstructorReport.out_directory)")
    similarity.add_argument("--reference", action="append", dest="references", metavar="DIR", default=[],
                            help="a folder of reference solutions (.ipynb or .py answer files), added to "
                                 "c.SimilarityReport.reference_dirs (repeatable)")
    similarity.add_argument("--threshold", type=float, default=None,
                            help="list pairs at or above this similarity, 0 to 1 (default: "
                                 "c.SimilarityReport.threshold)")
    command("demo", _demo, "run the demo cycle: build, submit, grade, feedback, export, report")
    command("options", _options, "print every option of the kit with its default, as nbgrader_config.py lines")
    return parser


def main(argv=None):
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "hub":  # only the hub passes options on (to JupyterHub)
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    try:
        course = Course.load(getattr(args, "course_root", None))
        return args.run(course, args)
    except Exception as err:  # one clear line for the failures the kit knows, not a traceback
        from .build.language_source import BuildError
        from .export.grades import ExportError
        from .grading.batch.local import WorkersFailed
        from .translation.catalogs import CatalogError
        if isinstance(err, (BuildError, CatalogError, CourseError, ExportError, FileNotFoundError, WorkersFailed)):
            print(f"coursekit {args.command}: {err}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
