# Demo submission, Persian notebook: nothing answered (the release notebook as it was handed out).
