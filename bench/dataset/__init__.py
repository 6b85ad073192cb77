"""A realistic, reproducible French dataset at a chosen scale, bulk-loaded with COPY, for the
benchmarks (`manage.py generate_dataset`).

- `context`: sizes (the scales), the calendar, ids, weighted draws;
- `names`, `places`, `catalogue`, `texts`: the data the draws pick from;
- `authority`: teams, agents, démarches and form versions; `people`: citizens, accounts,
  organisations, household links; `stories` and `timeline`: requests and all that happens to
  them; `fill`: the answers to the forms;
- `writer`: COPY with columns from the models; `progress`: the lines shown while it runs;
  `loader`: the run itself (refuse or wipe, demo, phases, one transaction, report).
"""

from bench.dataset.context import SCALES, Counts
from bench.dataset.loader import generate
from bench.dataset.writer import DatasetError

__all__ = ["SCALES", "Counts", "DatasetError", "generate"]
