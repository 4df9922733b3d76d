"""Translation: the English master's prose and messages -> gettext catalogs -> a notebook per language."""
