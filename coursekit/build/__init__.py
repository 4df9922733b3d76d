"""Build: master + catalogs -> one nbgrader source per language -> ``nbgrader generate_assignment`` -> ``release/``."""
