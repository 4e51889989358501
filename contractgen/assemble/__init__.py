"""Assembly: an engagement and the library/templates → a :class:`~contractgen.document.Document`."""
