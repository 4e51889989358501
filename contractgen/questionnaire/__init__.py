"""``contractgen new``: an interactive questionnaire that writes a spec (and builds it).

The questions are derived from the spec models (:mod:`contractgen.spec.models`), not written
out a second time: :mod:`.fields` reads the models, :mod:`.questions` turns them into steps
with validation, :mod:`.answers` holds what was answered (and pre-filled). What is asked in which
order and when is data (``templates/questionnaire.yaml``, read by :mod:`.model`); :mod:`.country`
reads the country and what it decides, :mod:`.review` builds the review of every section with
its findings. Those modules hold no terminal code, so another front end (a web form) asks the
same questions. The terminal front end: :mod:`.flow` asks the steps with going back and drafts on
Ctrl-C, :mod:`.prompts` draws them with questionary, :mod:`.summary` draws the review,
:mod:`.writer` writes the spec YAML and :mod:`.command` is the click command. Every word the
user reads that is not a model description lives in ``templates/<lang>/questionnaire.yaml``.
"""
