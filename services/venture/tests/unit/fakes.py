"""In-memory fakes of venture's store Protocols (`venture.handlers.ports`), for the use cases'
unit tests: no broker, no database."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from uuid import UUID

from shared.contracts.registry import OrgSnapshot
from venture.domain.applications import Application, Objection
from venture.domain.grants import Evaluation, Followup, Grant, GrantStatus, GrantTerms, Report, Tranche
from venture.domain.orgs import CommunityGrant, FundedProject, Graduation, Org
from venture.domain.review import Assignment, Declaration, Score
from venture.domain.rounds import Round


class FakeRounds:
    def __init__(self) -> None:
        self.rows: dict[UUID, Round] = {}

    async def get(self, round_id: UUID, *, for_update: bool = False) -> Round | None:
        r = self.rows.get(round_id)
        return copy.deepcopy(r)

    async def number_taken(self, number: int, street_code: str | None = None) -> bool:
        return any(r.number == number and r.street_code == street_code for r in self.rows.values())

    async def add(self, r: Round) -> None:
        self.rows[r.id] = copy.deepcopy(r)

    async def save_state(self, r: Round) -> None:
        self.rows[r.id] = copy.deepcopy(r)


class FakeApplications:
    def __init__(self) -> None:
        self.rows: dict[UUID, Application] = {}

    async def get(self, app_id: UUID, *, for_update: bool = False) -> Application | None:
        return copy.deepcopy(self.rows.get(app_id))

    async def of_round(self, round_id: UUID) -> list[Application]:
        apps = [copy.deepcopy(a) for a in self.rows.values() if a.round_id == round_id]
        return sorted(apps, key=lambda a: (a.rank is None, a.rank or 0, a.submitted_on, str(a.id)))

    async def count_of_org(self, round_id: UUID, org_id: UUID) -> int:
        return sum(
            1 for a in self.rows.values() if (a.round_id, a.org_id) == (round_id, org_id) and a.status != "withdrawn"
        )

    async def same_title_in_round(self, round_id: UUID, org_id: UUID, key: str) -> bool:
        return any((a.round_id, a.org_id, a.title_key) == (round_id, org_id, key) for a in self.rows.values())

    async def add(self, a: Application) -> None:
        self.rows[a.id] = copy.deepcopy(a)

    async def set_screening(self, app_id: UUID, status: str, reason: str) -> None:
        a = self.rows[app_id]
        a.status, a.screening_reason = status, reason

    async def set_decision(
        self, app_id: UUID, *, status: str, score: Decimal | None, rank: int | None, award: Decimal | None, reason: str
    ) -> None:
        a = self.rows[app_id]
        a.status, a.award_cny, a.decision_reason = status, award, reason
        a.score = a.score if score is None else score
        a.rank = a.rank if rank is None else rank


class FakeReviews:
    def __init__(self, applications: FakeApplications) -> None:
        self._apps = applications
        self.assignments: dict[tuple[UUID, str], Assignment] = {}
        self.declarations: dict[tuple[UUID, str], Declaration] = {}
        self.scores: dict[tuple[UUID, str], Score] = {}

    async def assign(self, round_id: UUID, app_id: UUID, reviewer: str) -> None:
        self.assignments.setdefault((app_id, reviewer), Assignment(round_id, app_id, reviewer, False))

    async def assignment(self, app_id: UUID, reviewer: str) -> Assignment | None:
        return self.assignments.get((app_id, reviewer))

    async def has_assignment_in_round(self, round_id: UUID, reviewer: str) -> bool:
        return any(a.round_id == round_id and a.reviewer == reviewer for a in self.assignments.values())

    async def declaration(self, round_id: UUID, reviewer: str) -> Declaration | None:
        return self.declarations.get((round_id, reviewer))

    async def declare(self, round_id: UUID, reviewer: str, declaration: Declaration) -> list[UUID]:
        self.declarations[(round_id, reviewer)] = declaration
        conflicted = []
        for key, a in self.assignments.items():
            app = self._apps.rows[a.application_id]
            orgs = {app.org_id, app.sponsor_org_id}
            if a.round_id == round_id and a.reviewer == reviewer and orgs & set(declaration.conflicted_org_ids):
                self.assignments[key] = replace(a, conflicted=True)
                conflicted.append(a.application_id)
        return conflicted

    async def save_score(self, score: Score) -> None:
        self.scores[(score.application_id, score.reviewer)] = score

    async def round_totals(self, round_id: UUID) -> dict[UUID, list[Decimal]]:
        out: dict[UUID, list[Decimal]] = {}
        for (app_id, reviewer), s in self.scores.items():
            a = self.assignments.get((app_id, reviewer))
            if self._apps.rows[app_id].round_id == round_id and a is not None and not a.conflicted:
                out.setdefault(app_id, []).append(s.total)
        return out


class FakeObjections:
    def __init__(self) -> None:
        self.rows: dict[UUID, Objection] = {}

    async def add(self, o: Objection) -> None:
        self.rows[o.id] = copy.deepcopy(o)

    async def get_for_update(self, objection_id: UUID) -> Objection | None:
        return copy.deepcopy(self.rows.get(objection_id))

    async def save_resolution(self, o: Objection) -> None:
        self.rows[o.id] = copy.deepcopy(o)

    async def open_count(self, round_id: UUID) -> int:
        return sum(1 for o in self.rows.values() if o.round_id == round_id and o.status == "open")


class FakeGrants:
    def __init__(self) -> None:
        self.rows: dict[UUID, Grant] = {}
        self.followups: dict[UUID, Followup] = {}

    async def add(self, grant_id: UUID, terms: GrantTerms, tranches: list[tuple[int, int, Decimal]]) -> None:
        self.rows[grant_id] = Grant(
            id=grant_id,
            amount_cny=terms.amount_cny,
            status=GrantStatus.ACTIVE,
            tranches=[Tranche(n, pct, amount) for n, pct, amount in tranches],
            terms=terms,
        )

    async def get(self, grant_id: UUID, *, for_update: bool = False) -> Grant | None:
        return copy.deepcopy(self.rows.get(grant_id))

    async def save(self, g: Grant) -> None:
        held = self.rows[g.id]
        reports = {r.id: r for r in held.reports}
        for r in g.reports:
            reports[r.id].status = r.status
        self.rows[g.id] = replace(copy.deepcopy(g), reports=list(reports.values()), evaluations=held.evaluations)

    async def add_report(self, grant_id: UUID, report: Report) -> None:
        self.rows[grant_id].reports.append(copy.deepcopy(report))

    async def grant_of_report(self, report_id: UUID) -> UUID | None:
        return next((g.id for g in self.rows.values() for r in g.reports if r.id == report_id), None)

    async def note_report_decision(self, report: Report) -> None:
        for g in self.rows.values():
            for r in g.reports:
                if r.id == report.id:
                    r.note, r.decided_on = report.note, report.decided_on

    async def add_evaluation(self, grant_id: UUID, e: Evaluation) -> None:
        self.rows[grant_id].evaluations.append(e)

    async def add_followup(self, grant_id: UUID, f: Followup) -> bool:
        if grant_id in self.followups:
            return False
        self.followups[grant_id] = f
        return True


@dataclass
class FakeOrgs:
    grants: FakeGrants = field(default_factory=FakeGrants)  # where "cultivated" is read from
    orgs: dict[UUID, Org] = field(default_factory=dict)
    funded: list[FundedProject] = field(default_factory=list)
    graduations: dict[UUID, Graduation] = field(default_factory=dict)
    incubatees: dict[UUID, date] = field(default_factory=dict)
    locked: list[UUID] = field(default_factory=list)

    def put(self, org: Org) -> Org:
        self.orgs[org.org_id] = org
        return org

    async def get(self, org_id: UUID) -> Org | None:
        return self.orgs.get(org_id)

    async def find_funded(self, org_id: UUID, key: str) -> FundedProject | None:
        found = sorted((f for f in self.funded if (f.org_id, f.title_key) == (org_id, key)), key=lambda f: f.funded_on)
        return found[0] if found else None

    async def add_funded_project(self, project: FundedProject) -> None:
        if all((f.source, f.source_id) != (project.source, project.source_id) for f in self.funded):
            self.funded.append(project)

    async def apply_snapshot(self, snap: OrgSnapshot) -> bool:
        held = self.orgs.get(snap.org_id)
        if held is not None and held.version >= snap.version:
            return False
        self.orgs[snap.org_id] = Org(
            org_id=snap.org_id,
            version=snap.version,
            name=snap.name,
            org_type=str(snap.org_type),
            status=str(snap.status),
            credit_code=snap.credit_code,
            street_code=snap.street_code,
            community=snap.community,
            sponsor_org_id=snap.sponsor_org_id,
            is_support_org=snap.is_support_org,
        )
        return True

    async def record_graduation(self, org_id: UUID, registered_on: date | None, filed_on: date | None) -> None:
        held = self.graduations.get(org_id)
        registered_on = held.registered_on if held and held.registered_on else registered_on
        self.graduations[org_id] = Graduation(org_id, registered_on, held.filed_on if held else filed_on)

    async def lock(self, org_id: UUID) -> None:
        self.locked.append(org_id)

    async def graduation(self, org_id: UUID) -> Graduation | None:
        return self.graduations.get(org_id)

    async def mark_incubatee_graduated(self, org_id: UUID, today: date) -> bool:
        if org_id in self.incubatees:
            return False
        self.incubatees[org_id] = today
        return True

    async def community_grants_of(self, org_id: UUID) -> list[CommunityGrant]:
        mine = [
            CommunityGrant(g.id, g.about.street_code, g.about.round_number)
            for g in self.grants.rows.values()
            if g.about.org_id == org_id and g.about.applied_as == "community"
        ]
        return sorted(mine, key=lambda g: g.round_number)
