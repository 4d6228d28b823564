"""The citizen's pages (issue #4): the application wizard and "Mijn aanvragen"."""
