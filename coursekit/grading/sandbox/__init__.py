"""The grading sandbox: student code runs in bubblewrap, as nobody, with nothing of the course in sight.

This package's modules that run inside the sandbox (``prelude``, ``zygote``)
import only the standard library, so that the package itself stays cheap to
import there.
"""
