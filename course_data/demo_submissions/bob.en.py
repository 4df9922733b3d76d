# Demo submission: nothing answered (the release notebook as it was handed out).
