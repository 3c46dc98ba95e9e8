"""As-of dashboards: a worked team example with hand-checked numbers, and the as-of property."""

from __future__ import annotations

import datetime as dt

import pytest
from _checkin_records import D, Q, maria_checkin, monday_cadence, person, raised
from hypothesis import given, settings
from hypothesis import strategies as st

from workplan_core.cascade import Cascade, Node, Status
from workplan_core.checkins import (
    Cadence,
    CheckIn,
    CheckinLog,
    ImpedimentAction,
    ImpedimentEvent,
    Severity,
    StatusUpdate,
    Weekday,
    weekly,
)
from workplan_core.checkins.dashboard import (
    AttentionReason,
    NodeOutlook,
    manager_dashboard,
    node_dashboard,
)
from workplan_core.org import (
    Assignment,
    Department,
    JobTitle,
    Organisation,
    OwnerKind,
    OwnerRef,
    Person,
    Position,
)

START = D(2026, 1, 1)

ORG = Organisation.build(
    people=[Person(p, p.title(), START) for p in ("chen", "maria", "anna", "omar", "zoe")],
    job_titles=[JobTitle("lead", "Lead"), JobTitle("dev", "Developer")],
    departments=[Department("eng", "Engineering")],
    positions=[
        Position("cto", "lead", "eng"),
        Position("mgr", "lead", "eng", reports_to="cto"),
        Position("dev1", "dev", "eng", reports_to="mgr"),
        Position("dev2", "dev", "eng", reports_to="mgr"),
        Position("dev3", "dev", "eng", reports_to="cto"),
    ],
    assignments=[
        Assignment("chen", "cto", START),
        Assignment("maria", "mgr", START),
        Assignment("anna", "dev1", START),
        Assignment("omar", "dev2", START),
        Assignment("zoe", "dev3", START),
    ],
)

CASCADE = Cascade(
    [
        Node("o1", "Launch", "strategic objective", OwnerRef(OwnerKind.POSITION, "cto"), Q),
        Node("g1", "Portal MVP", "team goal", person("maria"), Q, parent="o1"),
        Node("t1", "Import API", "task", person("anna"), Q, parent="g1", weight=2),
        Node("t2", "Load test", "task", person("omar"), Q, parent="g1"),
        Node("t3", "Docs", "task", person("anna"), Q, parent="g1"),
        Node("g2", "Billing", "team goal", person("zoe"), Q, parent="o1"),
        Node("t4", "Invoices", "task", person("zoe"), Q, parent="g2"),
    ]
)


def upd(
    uid: str, node: str, on: dt.date, status: Status, progress: float, *, by: str
) -> StatusUpdate:
    return StatusUpdate(uid, node, on, by, status, progress=progress, confidence=7)


CADENCES = [monday_cadence("c-anna"), monday_cadence("c-omar", "omar")]
CHECKINS = [
    maria_checkin(
        "w1",
        D(2027, 1, 4),
        "c-anna",
        ("anna", "omar"),
        updates=(
            upd("u1", "t1", D(2027, 1, 4), Status.ON_TRACK, 0.2, by="anna"),
            upd("u2", "t2", D(2027, 1, 4), Status.ON_TRACK, 0.1, by="omar"),
        ),
    ),
    maria_checkin("w1o", D(2027, 1, 4), "c-omar", ("omar",)),
    maria_checkin(
        "w2",
        D(2027, 1, 11),
        "c-anna",
        updates=(
            upd("u3", "t1", D(2027, 1, 11), Status.AT_RISK, 0.5, by="anna"),
            upd("u4", "t3", D(2027, 1, 11), Status.DONE, 1.0, by="anna"),
        ),
        impediments=(
            raised(D(2027, 1, 11), Severity.HIGH, description="no test data", help_from="chen"),
        ),
    ),
    maria_checkin(
        "w3",
        D(2027, 1, 18),
        "c-anna",
        updates=(upd("u5", "t1", D(2027, 1, 18), Status.BLOCKED, 0.5, by="anna"),),
    ),
]
LOG = CheckinLog.from_records(cadences=CADENCES, checkins=CHECKINS)


def test_manager_dashboard_worked_example() -> None:
    board = manager_dashboard(
        "maria", as_of=D(2027, 1, 19), cascade=CASCADE, organisation=ORG, log=LOG
    )
    # maria's tree: maria, anna, omar -> g1 (maria), t1 and t3 (anna), t2 (omar); not zoe's g2/t4
    assert [r.node_id for r in board.rows] == ["g1", "t1", "t2", "t3"]
    t1 = board.row("t1")
    assert (t1.status, t1.progress, t1.trend, t1.open_impediments, t1.help_requested) == (
        Status.BLOCKED,
        0.5,
        0.0,
        1,
        True,
    )
    # g1 = weighted mean (2*0.5 + 1*0.1 + 1*1.0) / 4 = 2.1 / 4 = 0.525; worst status: blocked
    g1 = board.row("g1")
    assert g1.progress == pytest.approx(0.525)
    assert g1.status is Status.BLOCKED
    # omar's t2: last update Jan 4, 15 days before Jan 19 > 7 + 1 days -> stale
    assert board.row("t2").stale
    assert not board.row("t1").stale
    reasons = [(a.reason, a.subject_id) for a in board.needs_attention]
    # blocked since Jan 18 (t1) before blocked by rollup with no update of its own (g1)
    assert reasons == [
        (AttentionReason.BLOCKED, "t1"),
        (AttentionReason.BLOCKED, "g1"),
        (AttentionReason.HELP_REQUESTED, "t1"),
        (AttentionReason.STALE, "t2"),
        (AttentionReason.MISSED_CHECKINS, "omar"),
    ]
    summary = board.summary
    assert summary.nodes == 4
    assert summary.by_status == {Status.BLOCKED: 2, Status.ON_TRACK: 1, Status.DONE: 1}
    assert summary.share_stale == 0.25
    assert summary.open_impediments_by_age == {"8-14": 1}  # raised Jan 11, 8 days old
    # anna held 3 (Jan 4, 11, 18); omar held Jan 4, missed Jan 11 (Jan 18 still in grace)
    assert (summary.checkins_held, summary.checkins_missed) == (4, 1)
    assert summary.participation == pytest.approx(0.8)


def test_a_past_day_shows_what_was_known_then() -> None:
    board = manager_dashboard(
        "maria", as_of=D(2027, 1, 5), cascade=CASCADE, organisation=ORG, log=LOG
    )
    t1 = board.row("t1")
    assert (t1.status, t1.progress, t1.open_impediments) == (Status.ON_TRACK, 0.2, 0)
    assert board.row("t3").status is Status.NOT_STARTED
    assert board.needs_attention == ()


def test_node_dashboard_and_outlook() -> None:
    outlook = NodeOutlook(p85=D(2027, 3, 20), on_time_probability=0.9, flag=None)
    board = node_dashboard(
        "g2", as_of=D(2027, 1, 19), cascade=CASCADE, log=LOG, outlooks={"t4": outlook}
    )
    assert [r.node_id for r in board.rows] == ["g2", "t4"]
    assert board.row("t4").outlook == outlook
    assert board.row("t4").stale  # zoe never updated; the period started Jan 1
    overdue = node_dashboard("g2", as_of=D(2027, 4, 10), cascade=CASCADE, log=LOG)
    assert overdue.row("t4").days_overdue == 10


@settings(max_examples=25, deadline=None)
@given(st.dates(D(2027, 1, 1), D(2027, 2, 15)))
def test_as_of_equals_a_log_of_only_the_records_known_then(as_of: dt.date) -> None:
    known = CheckinLog.from_records(
        cadences=CADENCES,
        checkins=[
            CheckIn(
                c.id,
                c.on,
                c.manager_id,
                c.participants,
                c.cadence_id,
                updates=tuple(u for u in c.updates if u.on <= as_of),
                impediments=tuple(e for e in c.impediments if e.on <= as_of),
            )
            for c in CHECKINS
            if c.on <= as_of
        ],
    )
    full = manager_dashboard("maria", as_of=as_of, cascade=CASCADE, organisation=ORG, log=LOG)
    past = manager_dashboard("maria", as_of=as_of, cascade=CASCADE, organisation=ORG, log=known)
    assert full == past


def test_bad_policy_and_unknown_rows_raise_library_errors() -> None:
    from workplan_core.checkins.dashboard import DashboardPolicy
    from workplan_core.errors import NotFoundError, ValidationError

    with pytest.raises(ValidationError) as info:
        DashboardPolicy(interval_days=0, grace_days=-1, age_buckets=(14, 7), participation_days=0)
    assert [p.path for p in info.value.problems] == [
        "$.interval_days",
        "$.grace_days",
        "$.age_buckets",
        "$.participation_days",
    ]
    board = node_dashboard("g2", as_of=D(2027, 1, 19), cascade=CASCADE, log=LOG)
    with pytest.raises(NotFoundError, match="'t1' is not on"):
        board.row("t1")


def test_arguments_of_the_wrong_kind_are_named_in_one_error() -> None:
    from workplan_core.errors import ValidationError

    with pytest.raises(ValidationError) as info:
        manager_dashboard(
            "maria",
            as_of="2027-01-19",  # type: ignore[arg-type]
            cascade=CASCADE,
            organisation=None,  # type: ignore[arg-type]
            log=CHECKINS,  # type: ignore[arg-type]
        )
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("$.as_of", "must be a date, got str"),
        ("$.organisation", "must be an Organisation, got NoneType"),
        ("$.log", "must be a CheckinLog, got list"),
    ]
    with pytest.raises(ValidationError) as info:
        node_dashboard("g2", as_of=D(2027, 1, 19), cascade=CASCADE.nodes, log=LOG)  # type: ignore[arg-type]
    assert [p.path for p in info.value.problems] == ["$.cascade"]
    with pytest.raises(ValidationError) as info:
        node_dashboard("g2", as_of=dt.datetime(2027, 1, 19, 9), cascade=CASCADE, log=LOG)
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("$.as_of", "must be a date, not a datetime"),
    ]
    with pytest.raises(ValidationError) as info:
        LOG.timeline_table("cascade")  # type: ignore[arg-type]
    assert [p.path for p in info.value.problems] == ["$.cascade"]
    with pytest.raises(ValidationError) as info:
        LOG.participation(None, "2027-01-19", None)  # type: ignore[arg-type]
    assert [p.path for p in info.value.problems] == ["$.as_of", "$.window_start"]


def _with_teams() -> Organisation:
    """ORG plus two teams: "portal" (anna, in maria's tree) and "billing" (zoe, outside it)."""
    from workplan_core.org import Team, TeamMembership

    return Organisation.build(
        people=ORG.people,
        job_titles=ORG.job_titles,
        departments=ORG.departments,
        positions=ORG.positions,
        assignments=ORG.assignments,
        teams=[Team("portal", "Portal"), Team("billing", "Billing")],
        team_memberships=[
            TeamMembership("anna", "portal", START),
            TeamMembership("zoe", "billing", START),
        ],
    )


def _team_cadence(cadence_id: str, manager: str, team: str) -> Cadence:
    return Cadence(
        cadence_id, manager, OwnerRef(OwnerKind.TEAM, team), weekly(Weekday.MONDAY), D(2027, 1, 4)
    )


def test_only_the_team_cadences_in_a_dashboards_scope_count() -> None:
    # zoe's billing team (outside maria's tree) has a weekly team check-in that is never held
    org = _with_teams()
    billing = _team_cadence("c-billing", "chen", "billing")
    log = CheckinLog.from_records(cadences=[*CADENCES, billing], checkins=CHECKINS)
    as_of = D(2027, 1, 31)
    board = manager_dashboard("maria", as_of=as_of, cascade=CASCADE, organisation=org, log=log)
    alone = manager_dashboard("maria", as_of=as_of, cascade=CASCADE, organisation=org, log=LOG)
    assert board == alone  # neither the totals nor the needs-attention list see it
    assert "billing" not in {item.subject_id for item in board.needs_attention}
    node = node_dashboard("g1", as_of=as_of, cascade=CASCADE, log=log)
    assert node == node_dashboard("g1", as_of=as_of, cascade=CASCADE, log=LOG)
    # ... while it counts where billing is in scope: for chen (zoe reports to chen) and
    # for a subtree with a node the team owns
    chen = manager_dashboard("chen", as_of=as_of, cascade=CASCADE, organisation=org, log=log)
    chen_before = manager_dashboard("chen", as_of=as_of, cascade=CASCADE, organisation=org, log=LOG)
    assert chen.summary.checkins_missed == chen_before.summary.checkins_missed + 4
    assert ("billing", D(2027, 1, 4)) in {
        (item.subject_id, item.since) for item in chen.needs_attention
    }
    team_owned = Cascade(
        [
            *CASCADE.nodes,
            Node("t5", "Tax rules", "task", OwnerRef(OwnerKind.TEAM, "billing"), Q, parent="g2"),
        ]
    )
    g2 = node_dashboard("g2", as_of=as_of, cascade=team_owned, log=log)
    assert (g2.summary.checkins_held, g2.summary.checkins_missed) == (0, 4)


def test_a_team_cadence_of_a_team_with_a_member_in_the_tree_counts() -> None:
    org = _with_teams()
    portal = _team_cadence("c-portal", "maria", "portal")
    held = [CheckIn("tp1", D(2027, 1, 4), "maria", ("anna",), "c-portal")]
    log = CheckinLog.from_records(cadences=[*CADENCES, portal], checkins=[*CHECKINS, *held])
    as_of = D(2027, 1, 19)
    board = manager_dashboard("maria", as_of=as_of, cascade=CASCADE, organisation=org, log=log)
    # as in the worked example (4 held, 1 missed), plus the team's Jan 4 held and Jan 11 missed
    assert (board.summary.checkins_held, board.summary.checkins_missed) == (5, 2)
    # the log's own default still counts every team's cadences (as documented)
    assert len(log.cadences_with(["anna"])) == 2
    assert [c.id for c in log.cadences_with(["anna"], teams=())] == ["c-anna"]
    assert [c.id for c in log.cadences_with(["anna"], teams=["portal"])] == ["c-anna", "c-portal"]


def test_a_correction_keeps_the_last_update_day_of_the_reading_it_corrects() -> None:
    # omar's t2 was last updated Jan 4 (stale on Jan 19); a correction of that update recorded
    # on Jan 18 changes what it says, not when it was said
    fix = StatusUpdate(
        "u2-fix", "t2", D(2027, 1, 18), "omar", Status.AT_RISK, progress=0.05, corrects="u2"
    )
    log = CheckinLog.from_records(cadences=CADENCES, checkins=CHECKINS, updates=[fix])
    board = manager_dashboard(
        "maria", as_of=D(2027, 1, 19), cascade=CASCADE, organisation=ORG, log=log
    )
    t2 = board.row("t2")
    assert (t2.status, t2.progress, t2.last_update, t2.stale) == (
        Status.AT_RISK,
        0.05,
        D(2027, 1, 4),
        True,
    )
    stale = [a for a in board.needs_attention if a.reason is AttentionReason.STALE]
    assert [(a.subject_id, a.since) for a in stale] == [("t2", D(2027, 1, 4))]


def test_a_withdrawn_help_request_leaves_the_dashboard_until_asked_again() -> None:
    # anna asked chen for help on Jan 11 (check-in w2); she withdraws it on Jan 13 and asks
    # omar on Jan 15; the impediment stays open throughout
    withdraw = ImpedimentEvent(
        "e2", "imp1", ImpedimentAction.UPDATED, D(2027, 1, 13), "anna", withdraws_help=True
    )
    ask_again = ImpedimentEvent(
        "e3", "imp1", ImpedimentAction.UPDATED, D(2027, 1, 15), "anna", help_from="omar"
    )
    log = CheckinLog.from_records(
        cadences=CADENCES, checkins=CHECKINS, impediment_events=[withdraw, ask_again]
    )

    def help_on(day: int) -> tuple[int, bool, list[tuple[str, dt.date | None, str]]]:
        board = manager_dashboard(
            "maria", as_of=D(2027, 1, day), cascade=CASCADE, organisation=ORG, log=log
        )
        t1 = board.row("t1")
        items = [
            (a.subject_id, a.since, a.detail)
            for a in board.needs_attention
            if a.reason is AttentionReason.HELP_REQUESTED
        ]
        return t1.open_impediments, t1.help_requested, items

    assert help_on(12) == (
        1,
        True,
        [("t1", D(2027, 1, 11), "help requested from chen: no test data")],
    )
    assert help_on(13) == (1, False, [])
    assert help_on(14) == (1, False, [])
    # asked again: requested since Jan 15, not since the impediment was raised
    assert help_on(15) == (
        1,
        True,
        [("t1", D(2027, 1, 15), "help requested from omar: no test data")],
    )
