"""Studies built on the simulation: scenario files (presets and lessons) and lessons.

* :mod:`ruin.studies.scenarios` -- read and validate the TOML scenario files (presets and
  lessons; the built-in ones and any file a user points to).
* :mod:`ruin.studies.lessons` -- run a lesson (predict, run every variant on one seed,
  compare) and grade a prediction.
"""
