"""Runs in the student's kernel before the first cell: a cap on what each cell may write.

ContainedExecute sends this module's source, then ``cap_streams(limit, mark)``,
in one silent request.  It uses only the standard library and the kernel's
``get_ipython``.
"""


def cap_streams(limit, mark):
    import sys

    from IPython import get_ipython

    shell = get_ipython()

    # IPython 9 keeps a copy of everything a cell writes or displays
    # (history_manager.outputs) for the kernel's whole life, taken before our
    # cap: 200 MB of print stay in memory until the memory limit makes
    # allocations fail anywhere, in ipykernel's threads too (a message lost or
    # sent half, a thread that cannot start, a dead kernel), so that later
    # cells fail as well.  Grading never reads that copy.
    class KeepsNothing(dict):
        def __contains__(self, key):
            return False

        def __getitem__(self, key):
            return []

    shell.history_manager.outputs = KeepsNothing()

    def cap(stream):
        # On ipykernel's stream object itself rather than a wrapper in
        # sys.stdout, so that what reaches it another way is counted too
        # (sys.__stdout__, C code or a subprocess writing to the file
        # descriptor, which ipykernel's watching thread forwards to it).
        # The class's method: during this cell the object's own `write` is
        # IPython's copying wrapper.
        write, written = type(stream).write.__get__(stream), 0

        def capped(text):
            nonlocal written
            room = limit - written
            if room > 0:
                write(text[:room])
                if len(text) > room:
                    write("\n" + mark + "\n")
            written += len(text)
            return len(text)

        def reset(*args):
            nonlocal written
            written = 0

        # A property, not an attribute of the object: IPython swaps the
        # object's own `write` around every cell (and would put back the
        # uncapped one after this very cell); a data descriptor of the class
        # wins over it, and the swap is ignored.
        class CappedStream(type(stream)):
            write = property(lambda self: capped, lambda self, value: None)

        stream.__class__ = CappedStream
        shell.events.register("pre_run_cell", reset)  # the cap counts per cell

    for stream in (sys.stdout, sys.stderr):
        cap(stream)
