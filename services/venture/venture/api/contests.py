"""A street's proposal contests (提案大赛): proposals, panel scores, the audience's votes, results."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Request
from pydantic import AwareDatetime, Field

from shared.auth import Principal, Role, optional_principal, require
from shared.clock import real_now
from shared.contracts.base import MoneyCNY
from shared.reference import Domain
from venture.api.deps import Runner, Today, service_of
from venture.api.models import Body
from venture.api.views import money
from venture.domain.contests import Contest, Proposal
from venture.handlers import contests as uc

router = APIRouter(tags=["contests"])


class ContestIn(Body):
    round_id: UUID = Field(description="the street's micro-venture round the winners apply to")
    title: str = Field(min_length=1, max_length=200)
    voting_opens_at: AwareDatetime
    voting_closes_at: AwareDatetime
    panelists: list[str] = Field(min_length=1, max_length=50, description="the panel's reviewer accounts")
    panel_weight: int = Field(default=70, ge=0, le=100, description="the panel's share of the result, in %")
    winners: int = Field(default=3, ge=1, le=100)


class ProposalIn(Body):
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=4000)
    presenter: str = Field(min_length=1, max_length=100, description="who presents it (resident or group leader)")
    org_id: UUID = Field(description="the residents' group (filed community org) or presenting org")
    sponsor_org_id: UUID | None = None
    community: str | None = Field(default=None, max_length=100)
    domain: Domain
    requested_cny: MoneyCNY = Field(gt=0)


class ScoreIn(Body):
    score: Decimal = Field(ge=0, le=100)


class VoteIn(Body):
    proposal_id: UUID
    phone: str | None = Field(default=None, max_length=30, description="when not signed in: a mobile number")


def contest_view(c: Contest, standings: list[Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": str(c.id),
        "street_code": c.street_code,
        "round_id": str(c.round_id),
        "title": c.title,
        "voting_opens_at": c.voting_opens_at.isoformat(),
        "voting_closes_at": c.voting_closes_at.isoformat(),
        "panel_weight": c.panel_weight,
        "winners": c.winners,
        "status": c.status.value,
        "proposals": [
            {
                "id": str(p.id),
                "title": p.title,
                "summary": p.summary,
                "presenter": p.presenter,
                "community": p.community,
                "domain": p.domain,
                "requested_cny": money(p.requested_cny),
                "application_id": str(p.application_id) if p.application_id else None,
            }
            for p in c.proposals
        ],
    }
    if standings is not None:
        out["standings"] = [
            {
                "proposal_id": str(s.proposal.id),
                "panel_mean": str(s.panel_mean),
                "votes": s.votes,
                "result": str(s.result),
            }
            for s in standings
        ]
    return out


@router.post("/contests", status_code=201, summary="Open a proposal contest (its street's officer; district)")
async def open_contest(body: ContestIn, request: Request, p: Runner) -> dict[str, Any]:
    contest = Contest(
        id=uuid4(),
        street_code="",
        round_id=body.round_id,
        title=body.title,
        voting_opens_at=body.voting_opens_at,
        voting_closes_at=body.voting_closes_at,
        panelists=body.panelists,
        panel_weight=body.panel_weight,
        winners=body.winners,
        created_by=p.sub,
    )
    async with service_of(request).unit_of_work() as uow:
        c = await uc.open_contest(uow.stores.rounds, uow.stores.contests, contest, principal=p)
    return contest_view(c)


@router.get("/contests/{contest_id}", summary="A contest, its proposals and (once closed) the standings (public)")
async def get_contest(contest_id: UUID, request: Request) -> dict[str, Any]:
    async with service_of(request).reading() as s:
        c = await uc.load_contest(s.contests, contest_id)
        standings = None
        if c.status.value == "closed":
            standings = c.standings(await s.contests.panel(contest_id), await s.contests.votes(contest_id))
    return contest_view(c, standings)


@router.post("/contests/{contest_id}/proposals", status_code=201, summary="Register a proposal (the street)")
async def add_proposal(contest_id: UUID, body: ProposalIn, request: Request, p: Runner) -> dict[str, Any]:
    proposal = Proposal(
        id=uuid4(),
        contest_id=contest_id,
        title=body.title,
        summary=body.summary,
        presenter=body.presenter,
        org_id=body.org_id,
        sponsor_org_id=body.sponsor_org_id,
        community=body.community,
        domain=body.domain.value,
        requested_cny=body.requested_cny,
    )
    async with service_of(request).unit_of_work() as uow:
        await uc.add_proposal(uow.stores.contests, uow.stores.orgs, proposal, principal=p, now=real_now())
    return {"id": str(proposal.id), "title": proposal.title}


@router.put("/contests/{contest_id}/proposals/{proposal_id}/scores/mine", summary="Score a proposal (a panelist)")
async def score(
    contest_id: UUID,
    proposal_id: UUID,
    body: ScoreIn,
    request: Request,
    p: Annotated[Principal, Depends(require(Role.REVIEWER))],
) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        await uc.score(uow.stores.contests, contest_id, proposal_id, body.score, panelist=p.sub, now=real_now())
    return {"proposal_id": str(proposal_id), "score": str(body.score)}


@router.post(
    "/public/contests/{contest_id}/votes",
    status_code=201,
    summary="Vote for a proposal: signed in, or with a mobile number (one vote per person)",
)
async def vote(
    contest_id: UUID,
    body: VoteIn,
    request: Request,
    who: Annotated[Principal | None, Depends(optional_principal)],
) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        await uc.vote(
            uow.stores.contests, contest_id, body.proposal_id, principal=who, phone=body.phone, now=real_now()
        )
    return {"contest_id": str(contest_id), "proposal_id": str(body.proposal_id), "counted": True}


@router.post("/contests/{contest_id}/closure", summary="Close after voting; winners become applications (the street)")
async def close(contest_id: UUID, request: Request, p: Runner, today: Today) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        s = uow.stores
        c, events = await uc.close(
            s.rounds, s.applications, s.orgs, s.contests, contest_id, principal=p, now=real_now(), today=today
        )
        uow.emit(events)
        standings = c.standings(await s.contests.panel(contest_id), await s.contests.votes(contest_id))
    return {**contest_view(c, standings), "winners": events[0].model_dump(mode="json")["winners"]}
