"""``contractgen serve``: the HTTP API (and, later, the form pages) on the same pipeline as the CLI.

:mod:`contractgen.web.app` makes the ASGI app (token, size limit), :mod:`contractgen.web.api`
holds the ``/api/v1`` endpoints, :mod:`contractgen.web.jobs` runs builds in worker processes
behind a bounded queue, and :mod:`contractgen.web.wording` reads what they say from
``templates/<lang>/web.yaml``. FastAPI is an optional extra (``pip install contractgen[web]``).
"""
