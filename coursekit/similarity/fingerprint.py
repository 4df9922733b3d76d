"""Similarity, second step: code -> fingerprints, through copydetect, less the release's and the common ones.

copydetect tokenises the code with Pygments, drops comments and whitespace,
turns every name into ``V`` (functions ``F``) and every string into ``S``,
hashes the k-grams of what is left and keeps a winnowed subset (Schleimer,
Wilkerson and Aiken's robust winnowing).  Renamed variables, reformatted
lines, translated or removed comments and strings leave the fingerprints as
they were; a reordered statement or a changed line changes only the few
k-grams that cross it.

Two sets of fingerprints are then removed from every document, so that they
never count as shared code:

* every k-gram of the release's answer cells, in every language (the
  scaffold, the docstrings, the given lines);
* the fingerprints found in more than ``common_fraction`` of the class (the
  natural shape of a correct answer), once the class is large enough.
"""
from __future__ import annotations

import hashlib
import io
from collections import Counter
from dataclasses import dataclass

import copydetect.utils
import numpy as np
from copydetect import CodeFingerprint
from copydetect.utils import get_token_coverage


def stable_hashed_kgrams(string: str, k: int) -> np.ndarray:
    """copydetect's ``hashed_kgrams`` with a hash that is the same in every process: copydetect uses Python's
    ``hash()``, which is salted per process, so the winnowed fingerprints, and the scores, would change
    from one run of the report to the next."""
    return np.array([int.from_bytes(hashlib.blake2b(string[i:i + k].encode("utf-8"), digest_size=8).digest(),
                                    "little", signed=True)
                     for i in range(len(string) - k + 1)], dtype=np.int64)


copydetect.utils.hashed_kgrams = stable_hashed_kgrams

#: The name copydetect is given for a cell; it only picks the tokeniser (language="python" does that too).
_CELL_NAME = "answer.py"


@dataclass(frozen=True)
class Settings:
    """How code is fingerprinted (see ``SimilarityReport`` for each option's meaning)."""

    noise_threshold: int = 15
    guarantee_threshold: int = 20
    common_fraction: float = 0.5
    common_min_class: int = 10

    @property
    def window(self) -> int:
        return max(self.guarantee_threshold - self.noise_threshold + 1, 1)


def fingerprint(source: str, settings: Settings, window: int | None = None) -> CodeFingerprint:
    """copydetect's fingerprint of one piece of Python code."""
    return CodeFingerprint(_CELL_NAME, settings.noise_threshold, settings.window if window is None else window,
                           language="python", fp=io.StringIO(source))


def release_hashes(release_sources: list[str], settings: Settings) -> set:
    """Every k-gram hash of the release's code (a window of 1 keeps them all, as copydetect does for its
    boilerplate)."""
    hashes: set = set()
    for source in release_sources:
        hashes |= fingerprint(source, settings, window=1).hashes
    return hashes


def common_hashes(documents: list[list[CodeFingerprint]], settings: Settings) -> set:
    """The hashes found in more than ``common_fraction`` of the class: *documents* holds one list of
    fingerprints per submission (a hash counts once per submission)."""
    if len(documents) < settings.common_min_class:
        return set()
    counts: Counter = Counter()
    for fingerprints in documents:
        counts.update(set().union(*(fp.hashes for fp in fingerprints)) if fingerprints else ())
    limit = settings.common_fraction * len(documents)
    return {h for h, n in counts.items() if n > limit}


def drop(fp: CodeFingerprint, hashes: set) -> CodeFingerprint:
    """Remove *hashes* from *fp* (in place): they are neither shared code nor code of the student's own."""
    gone = fp.hashes & hashes
    if gone:
        fp.hashes = fp.hashes - gone
        fp.hash_idx = {h: i for h, i in fp.hash_idx.items() if h not in gone}
    fp.token_coverage = get_token_coverage(fp.hash_idx, fp.k, len(fp.filtered_code))
    return fp


def raw_offsets(fp: CodeFingerprint, positions: np.ndarray) -> np.ndarray:
    """Positions in copydetect's filtered code -> positions in the code as written (the mapping copydetect's
    ``compare_files`` applies to its slices)."""
    positions = np.asarray(positions, dtype=int)
    if len(fp.offsets) == 0:
        return positions
    at = np.clip(np.searchsorted(fp.offsets[:, 0], positions), 0, fp.offsets.shape[0] - 1)
    return positions + fp.offsets[:, 1][at]
