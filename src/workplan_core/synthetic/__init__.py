"""Seeded generators of realistic data, for demos, tests and benchmarks.

* [generate_organisation][workplan_core.synthetic.org.generate_organisation]: an organisation of
  10 to 1,000,000 people with departments, teams, positions, job titles, roles and a few years of
  assignment history (moves and leavers).
* [generate_deliveries][workplan_core.synthetic.delivery.generate_deliveries]: delivery
  histories of nodes whose tasks finish by a known hidden process, for forecasts and backtests.

Every generator takes a `seed`: the same seed gives the same data.
"""

from workplan_core.synthetic.delivery import DeliveryHistory, generate_deliveries
from workplan_core.synthetic.org import DEFAULT_AS_OF, generate_organisation

__all__ = ["DEFAULT_AS_OF", "DeliveryHistory", "generate_deliveries", "generate_organisation"]
