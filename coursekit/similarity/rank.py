"""Similarity, third step: every pair of submissions -> the code they share and a score, ranked.

A pair's score is the fraction of the two submissions' fingerprinted code
(both sides together, after the release's and the class's common fingerprints
are removed) that copydetect finds in both: 0 when they share nothing, 1 when
every fingerprinted character of each is found in the other.  With
``unit="cell"`` each answer cell is compared only with the answer cell of the
same grade id, and the shared code of every cell is added up.  Two
submissions of the same student (two languages) are not compared.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
from copydetect import CodeFingerprint, compare_files

from .extract import CodeSubmission, Extracted
from .fingerprint import Settings, common_hashes, drop, fingerprint, raw_offsets, release_hashes

#: The one document of a submission when whole notebooks are compared.
NOTEBOOK = "all answer cells"


@dataclass
class Fragment:
    """A run of code found on both sides: character offsets in each side's code as written."""

    left: tuple[int, int]
    right: tuple[int, int]
    size: int  # characters of normalised code


@dataclass
class DocumentMatch:
    """One answer cell (or the whole notebook) that two submissions share code in."""

    title: str
    left: CodeFingerprint
    right: CodeFingerprint
    shared: int  # normalised characters found in both, left and right together

    @property
    def score(self) -> float:
        total = self.left.token_coverage + self.right.token_coverage
        return self.shared / total if total else 0.0

    def fragments(self) -> list[Fragment]:
        return shared_fragments(self.left, self.right)


@dataclass
class Pair:
    left: CodeSubmission
    right: CodeSubmission
    score: float
    matches: list[DocumentMatch]

    @property
    def longest(self) -> int:
        """The longest shared fragment, in characters of normalised code."""
        return max((f.size for m in self.matches for f in m.fragments()), default=0)


@dataclass
class Result:
    """Every pair with something in common, best first, and what was compared."""

    extracted: Extracted
    settings: Settings
    unit: str
    threshold: float
    pairs: list[Pair]  # submission pairs scoring at least LISTED * threshold, best first
    references: list[Pair]  # (submission, reference) pairs scoring at least LISTED * threshold, best first
    submissions: int
    seconds: float
    common: int  # fingerprints discounted as the class's common shape
    stats: dict = field(default_factory=dict)

    @property
    def flagged(self) -> list[Pair]:
        return [p for p in self.pairs if p.score >= self.threshold]

    @property
    def flagged_references(self) -> list[Pair]:
        return [p for p in self.references if p.score >= self.threshold]


def documents(sub: CodeSubmission, unit: str, order: list[str]) -> dict[str, str]:
    """What is compared of *sub*: its answer cells, or all of them as one document."""
    cells = {key: sub.cells[key] for key in order if key in sub.cells}
    cells.update({key: source for key, source in sub.cells.items() if key not in cells})
    if unit == "cell":
        return cells
    return {NOTEBOOK: "\n\n".join(f"# --- {key} ---\n{source}" for key, source in cells.items())}


def _fingerprints(subs: list[CodeSubmission], unit: str, order: list[str], settings: Settings):
    return [{key: fingerprint(source, settings) for key, source in documents(sub, unit, order).items()}
            for sub in subs]


def compare_documents(a: dict[str, CodeFingerprint], b: dict[str, CodeFingerprint],
                      floor: float = 0.0) -> tuple[float, list]:
    """(score, the documents that share code) of two submissions' fingerprints; (0, []) when the score cannot
    reach *floor* (bounded by k characters per shared fingerprint, before copydetect measures the overlap)."""
    total = sum(fp.token_coverage for fp in a.values()) + sum(fp.token_coverage for fp in b.values())
    candidates, bound = [], 0.0
    for key, left in a.items():
        right = b.get(key)
        if right is None or left.hashes.isdisjoint(right.hashes):
            continue
        shared = left.hashes & right.hashes
        bound += min(left.token_coverage, left.k * sum(len(left.hash_idx[h]) for h in shared))
        bound += min(right.token_coverage, right.k * sum(len(right.hash_idx[h]) for h in shared))
        candidates.append((key, left, right))
    if not candidates or not total or bound < floor * total:
        return 0.0, []
    shared_total, matches = 0.0, []
    for key, left, right in candidates:
        _, (sim_left, sim_right), _ = compare_files(left, right)
        shared = sim_left * left.token_coverage + sim_right * right.token_coverage
        if shared:
            shared_total += shared
            matches.append(DocumentMatch(key, left, right, int(round(shared))))
    return (shared_total / total if matches else 0.0), matches


#: Pairs scoring below this fraction of the threshold are not listed (nor measured in full).
LISTED = 0.5


def rank(extracted: Extracted, settings: Settings = Settings(), unit: str = "cell",
         threshold: float = 0.65) -> Result:
    """Compare every pair of the class, and every submission with every reference solution; list the pairs
    that score at least half the threshold."""
    started = time.perf_counter()
    subs, refs = extracted.submissions, extracted.references
    own = _fingerprints(subs, unit, extracted.cell_order, settings)
    theirs = _fingerprints(refs, unit, extracted.cell_order, settings)
    given = release_hashes(extracted.release, settings)
    for docs in own + theirs:  # the release first: a given line is never the class's common shape either
        for fp in docs.values():
            drop(fp, given)
    common = common_hashes([list(docs.values()) for docs in own], settings)
    for docs in own + theirs:
        for fp in docs.values():
            drop(fp, common)
    fingerprinted = time.perf_counter()

    pairs = []
    for i, j in combinations(range(len(subs)), 2):
        if subs[i].student is not None and subs[i].student == subs[j].student:
            continue
        score, matches = compare_documents(own[i], own[j], LISTED * threshold)
        if matches:
            pairs.append(Pair(subs[i], subs[j], score, matches))
    references = []
    for i, sub in enumerate(subs):
        for r, ref in enumerate(refs):
            score, matches = compare_documents(own[i], theirs[r], LISTED * threshold)
            if matches:
                references.append(Pair(sub, ref, score, matches))
    pairs.sort(key=lambda p: (-p.score, p.left.label, p.right.label))
    references.sort(key=lambda p: (-p.score, p.left.label, p.right.label))
    done = time.perf_counter()
    return Result(extracted, settings, unit, threshold, pairs, references, len(subs), done - started, len(common),
                  {"fingerprint_s": fingerprinted - started, "compare_s": done - fingerprinted})


def shared_fragments(left: CodeFingerprint, right: CodeFingerprint) -> list[Fragment]:
    """The runs of code found on both sides, from the positions of their shared fingerprints: matching
    k-grams that follow each other on both sides (less than k characters apart) make one fragment."""
    k = left.k
    starts = sorted((i, j) for h in left.hashes & right.hashes
                    for i in left.hash_idx[h] for j in right.hash_idx[h])
    runs: list[list[int]] = []  # [left first, left last, right first, right last]
    for i, j in starts:
        for run in reversed(runs):
            if run[1] < i <= run[1] + k and run[3] < j <= run[3] + k:
                run[1], run[3] = i, j
                break
        else:
            runs.append([i, i, j, j])
    fragments = []
    for l0, l1, r0, r1 in runs:
        left_span = raw_offsets(left, np.array([l0, l1 + k]))
        right_span = raw_offsets(right, np.array([r0, r1 + k]))
        fragments.append(Fragment((int(left_span[0]), min(int(left_span[1]), len(left.raw_code))),
                                  (int(right_span[0]), min(int(right_span[1]), len(right.raw_code))),
                                  l1 + k - l0))
    return sorted(fragments, key=lambda f: f.left)
