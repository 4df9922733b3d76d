"""Similarity: how much student-written code the submissions of an assignment share, pair by pair.

The route is one module per step: ``extract`` (submissions and reference
solutions -> the code of their answer cells), ``fingerprint`` (code -> winnowed
token fingerprints, through copydetect, less the release's code and the
fingerprints most of the class shares), ``rank`` (every pair -> shared
fragments and a score, ranked) and ``page`` (the ranked pairs -> a
self-contained HTML page with the shared fragments side by side).  The report
says "similar" and shows the evidence; the judgement is a person's.
"""
