"""The course on a JupyterHub: nbgrader's exchange between the instructors' and the students' servers.

``options.py`` holds the hub's options (``c.CourseHub.*`` in nbgrader_config.py);
``servers.py`` prepares what every user's server reads (nbgrader's exchange
and course, the right-to-left stylesheet, the sandbox kernel) in the hub's
state folder; ``jupyterhub_config.py`` is the JupyterHub configuration;
``run.py`` is ``coursekit hub``, which prepares and starts it. See docs/hub.md.
"""
