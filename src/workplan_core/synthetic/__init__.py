"""Seeded generators of realistic data, for demos, tests and benchmarks.

* [generate_organisation][workplan_core.synthetic.org.generate_organisation]: an organisation of
  10 to 1,000,000 people with departments, teams, positions, job titles, roles and a few years of
  assignment history (moves and leavers).
* [generate_cascade][workplan_core.synthetic.cascade.generate_cascade]: realistic five-level
  cascades of any size, owned by an organisation's positions, teams and people.
* [generate_checkins][workplan_core.synthetic.checkins.generate_checkins]: weeks of check-ins
  for a cascade's tasks, with missed meetings, stalls and impediments.
* [generate_deliveries][workplan_core.synthetic.delivery.generate_deliveries]: delivery
  histories of nodes whose tasks finish by a known hidden process, for forecasts and backtests.

Every generator takes a `seed`: the same seed gives the same data.
"""

from workplan_core.synthetic.cascade import SYNTHETIC_CONFIG as CASCADE_CONFIG
from workplan_core.synthetic.cascade import generate_cascade
from workplan_core.synthetic.checkins import CheckinHistory, generate_checkins
from workplan_core.synthetic.delivery import DeliveryHistory, generate_deliveries
from workplan_core.synthetic.org import DEFAULT_AS_OF, generate_organisation

__all__ = [
    "CASCADE_CONFIG",
    "DEFAULT_AS_OF",
    "CheckinHistory",
    "DeliveryHistory",
    "generate_cascade",
    "generate_checkins",
    "generate_deliveries",
    "generate_organisation",
]
