"""How well does `coursekit similarity` tell disguised copies from independent solutions, and how fast?

    .venv/bin/python benchmarks/similarity.py [--authors 150] [--copies 75] [--unit cell] [--sweep]
    .venv/bin/python benchmarks/similarity.py --timing 500

Builds a labelled class (``similarity_set.py``): independent authors, each
with its own mix of independently written solutions and the catalogue's
mistakes, and disguised copies of some of them (renamed, reordered,
reformatted, commented in Persian or Turkish, a few lines changed, mostly in
another language).  The submissions are real notebooks in ``submitted/`` of a
scratch course; the report's own code reads and compares them.  Prints, at
the default threshold (``c.SimilarityReport.threshold``):

* recall: the copies flagged against their original;
* the independent pairs flagged, and precision over all flagged pairs.

``--sweep`` adds the figures at other thresholds and the highest scores of
each kind; ``--timing N`` times a class of N submissions (a fifth of them
copies) from reading the notebooks to the written page.

``--screenshot PNG`` photographs the side-by-side view of the most similar
pair of a small labelled class (docs/similarity.png).

``--engine dolos`` scores the same class with Dolos instead (its library,
dolos-lib, per answer cell, with the release's cell as the ignored file and
``--common`` as its maxFingerprintPercentage; the score is added up over the
cells as the kit adds copydetect's).  It needs Node.js and, once,
``npm ci --prefix benchmarks/dolos``; the kit itself does not use it.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from similarity_set import labelled_set, scratch_course, write_class  # noqa: E402

from coursekit.similarity.extract import extract  # noqa: E402
from coursekit.similarity.fingerprint import Settings  # noqa: E402
from coursekit.similarity.options import SimilarityReport  # noqa: E402
from coursekit.similarity.rank import rank  # noqa: E402


def scores(people, result) -> tuple[list[float], list[float]]:
    """(the scores of the copy pairs, the scores of the independent pairs); a pair not listed (below half the
    threshold) counts as 0."""
    origin = {p.name: p.origin for p in people}
    listed = result if isinstance(result, dict) else {frozenset((p.left.name, p.right.name)): p.score
                                                      for p in result.pairs}
    copies, independent = [], []
    names = [p.name for p in people]
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            score = listed.get(frozenset((a, b)), 0.0)
            (copies if origin[a] == origin[b] else independent).append(score)
    return copies, independent


def figures(copies: list[float], independent: list[float], threshold: float) -> dict:
    found = sum(s >= threshold for s in copies)
    false = sum(s >= threshold for s in independent)
    return {"threshold": threshold, "recall": found / len(copies) if copies else float("nan"),
            "independent_flagged": false / len(independent) if independent else 0.0,
            "precision": found / (found + false) if found + false else 1.0,
            "copies": len(copies), "independent": len(independent), "found": found, "false": false}


def measure(authors: int, copies: int, unit: str = "cell", settings: Settings | None = None,
            threshold: float | None = None, seed: int = 19):
    """Build the labelled class in a scratch course, compare it; (people, result, seconds to compare)."""
    options = SimilarityReport()
    settings = settings or Settings(options.noise_threshold, options.guarantee_threshold,
                                    options.common_fraction, options.common_min_class)
    threshold = options.threshold if threshold is None else threshold
    people = labelled_set(authors, copies, seed)
    with tempfile.TemporaryDirectory(prefix="similarity-bench-") as tmp:
        course = scratch_course(Path(tmp) / "course")
        write_class(course, people, Path(tmp) / "answers")
        started = time.perf_counter()
        result = rank(extract(course), settings, unit, threshold)
        seconds = time.perf_counter() - started
    return people, result, seconds


DOLOS = Path(__file__).resolve().parent / "dolos"


def measure_dolos(authors: int, copies: int, k: int, w: int, common: float, seed: int = 19):
    """The same labelled class scored by Dolos; (people, {pair of names: score}, seconds)."""
    people = labelled_set(authors, copies, seed)
    with tempfile.TemporaryDirectory(prefix="similarity-dolos-") as tmp:
        tmp = Path(tmp)
        course = scratch_course(tmp / "course")
        write_class(course, people, tmp / "answers")
        extracted = extract(course)
        spec = {}
        for n, gid in enumerate(extracted.cell_order):
            folder = tmp / "cells" / gid
            folder.mkdir(parents=True)
            paths = []
            for sub in extracted.submissions:
                if gid in sub.cells:
                    path = folder / f"{sub.name}.py"
                    path.write_text(sub.cells[gid], encoding="utf-8")
                    paths.append(str(path))
            ignore = tmp / "cells" / f"{gid}.release.py"  # every language's release version of the cell
            ignore.write_text("\n\n".join(extracted.release[n::len(extracted.cell_order)]), encoding="utf-8")
            spec[gid] = {"paths": paths, "ignore": str(ignore), "k": k, "w": w, "common": common}
        (tmp / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
        started = time.perf_counter()
        subprocess.run(["node", str(DOLOS / "compare.mjs"), str(tmp / "spec.json"), str(tmp / "out.json")],
                       check=True, cwd=DOLOS)
        seconds = time.perf_counter() - started
        out = json.loads((tmp / "out.json").read_text(encoding="utf-8"))
    totals: dict[str, int] = {}
    shared: dict[frozenset, int] = {}
    for cell in out.values():
        for path, total in cell["totals"].items():
            totals[Path(path).stem] = totals.get(Path(path).stem, 0) + total
        for left, right, covered_left, covered_right in cell["pairs"]:
            key = frozenset((Path(left).stem, Path(right).stem))
            shared[key] = shared.get(key, 0) + covered_left + covered_right
    return people, {key: n / max(sum(totals.get(name, 0) for name in key), 1) for key, n in shared.items()}, seconds


def timing(n: int, unit: str) -> dict:
    """Seconds for a class of *n* submissions: read, fingerprint, compare, and write the page."""
    from coursekit.similarity.page import write_similarity

    people = labelled_set(n - n // 5, n // 5, max_same=8)  # timing only: authors may share more
    with tempfile.TemporaryDirectory(prefix="similarity-time-") as tmp:
        course = scratch_course(Path(tmp) / "course")
        write_class(course, people, Path(tmp) / "answers")
        course.config.SimilarityReport.unit = unit
        started, cpu = time.perf_counter(), time.process_time()
        page, result = write_similarity(course, Path(tmp) / "report")
        total, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"submissions": n, "pairs": n * (n - 1) // 2, "total_s": total, "cpu_s": cpu, **result.stats}


def screenshot(out: Path) -> Path:
    """The side-by-side view of the most similar pair of a class of 16 (12 authors, 4 copies), as a PNG."""
    from coursekit.similarity.page import screenshot_pair, write_similarity

    with tempfile.TemporaryDirectory(prefix="similarity-page-") as tmp:
        course = scratch_course(Path(tmp) / "course")
        write_class(course, labelled_set(12, 4), Path(tmp) / "answers")
        page, _ = write_similarity(course, Path(tmp) / "report")
        return screenshot_pair(page, out, "pair-1", width=1400, height=1000)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--authors", type=int, default=150, help="independent authors (default 150)")
    parser.add_argument("--copies", type=int, default=75, help="disguised copies, one per author (default 75)")
    parser.add_argument("--unit", choices=["cell", "notebook"], default=SimilarityReport().unit,
                        help="compare per answer cell or whole notebooks (default: the report's default)")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--noise", type=int, help="noise threshold (default: the report's)")
    parser.add_argument("--guarantee", type=int, help="guarantee threshold (default: the report's)")
    parser.add_argument("--common", type=float, help="common fraction (default: the report's)")
    parser.add_argument("--sweep", action="store_true", help="also print other thresholds and the top scores")
    parser.add_argument("--timing", type=int, metavar="N", help="only time a class of N submissions")
    parser.add_argument("--engine", choices=["copydetect", "dolos"], default="copydetect",
                        help="score with the kit's engine (copydetect) or with Dolos, for comparison")
    parser.add_argument("--threshold", type=float, help="the threshold (default: the report's)")
    parser.add_argument("--screenshot", type=Path, metavar="PNG",
                        help="only photograph the side-by-side view of a small class's most similar pair")
    args = parser.parse_args(argv)
    if args.screenshot:
        print(screenshot(args.screenshot))
        return 0
    if args.timing:
        t = timing(args.timing, args.unit)
        print(f"{t['submissions']} submissions ({t['pairs']} pairs, unit={args.unit}): {t['total_s']:.1f} s "
              f"wall, {t['cpu_s']:.1f} s of CPU in one process "
              f"(fingerprints {t['fingerprint_s']:.1f} s, comparisons {t['compare_s']:.1f} s, the rest reading "
              "notebooks and writing the page)")
        return 0
    options = SimilarityReport()
    settings = Settings(args.noise or options.noise_threshold, args.guarantee or options.guarantee_threshold,
                        options.common_fraction if args.common is None else args.common, options.common_min_class)
    threshold = options.threshold if args.threshold is None else args.threshold
    if args.engine == "dolos":
        k, w = args.noise or 23, args.guarantee or 17  # Dolos's defaults: k-grams of 23 tokens, windows of 17
        people, listed, seconds = measure_dolos(args.authors, args.copies, k, w, settings.common_fraction,
                                                args.seed)
        copies, independent = scores(people, listed)
        described = f"engine=dolos, unit=cell, k={k} tokens, window={w}"
    else:
        # --sweep: pairs are listed down to half the threshold, so a threshold of 0.8 lists every pair from 0.4
        people, result, seconds = measure(args.authors, args.copies, args.unit, settings,
                                          0.8 if args.sweep else threshold, args.seed)
        copies, independent = scores(people, result)
        described = (f"engine=copydetect, unit={args.unit}, k={settings.noise_threshold}, "
                     f"guarantee={settings.guarantee_threshold}")
    f = figures(copies, independent, threshold)
    print(f"{len(people)} submissions: {args.authors} independent authors, {args.copies} disguised copies; "
          f"{described}, common>{settings.common_fraction:g}, threshold={threshold:g}, compared in {seconds:.1f} s")
    print(f"recall    {f['recall']:.1%}  ({f['found']} of {f['copies']} copies flagged against their original)")
    print(f"flagged   {f['independent_flagged']:.2%} of independent pairs ({f['false']} of {f['independent']})")
    print(f"precision {f['precision']:.1%}  (of {f['found'] + f['false']} flagged pairs)")
    if args.sweep:
        for threshold in (0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75):
            g = figures(copies, independent, threshold)
            print(f"  threshold {threshold:.2f}: recall {g['recall']:.1%}, independent flagged "
                  f"{g['independent_flagged']:.2%}, precision {g['precision']:.1%}")
        print("  lowest copy scores:", " ".join(f"{s:.2f}" for s in sorted(copies)[:8]))
        print("  highest independent scores:", " ".join(f"{s:.2f}" for s in sorted(independent)[-8:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
