"""Use cases of a street's proposal contests (提案大赛): proposals, panel scores, audience votes, and
closing, when the winners become applications in the street's micro-venture round."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import structlog

from shared.auth import Principal
from shared.contracts.base import IntegrationEvent
from shared.contracts.venture import ContestWinner, ProposalContestClosed
from shared.errors import Conflict, Invalid, NotFound
from venture import access
from venture.domain.claiming import mobile_number
from venture.domain.contests import Contest, Proposal
from venture.domain.rounds import RoundLevel
from venture.handlers import rounds as round_uc
from venture.handlers.ports import Applications, Contests, Orgs, Rounds

log = structlog.get_logger("venture.contests")


async def load_contest(contests: Contests, contest_id: UUID, *, for_update: bool = False) -> Contest:
    c = await contests.get(contest_id, for_update=for_update)
    if c is None:
        raise NotFound(f"提案大赛 {contest_id} 不存在")
    return c


async def open_contest(rounds: Rounds, contests: Contests, c: Contest, *, principal: Principal) -> Contest:
    """A contest feeding a street round of the same street, run by that street."""
    r = await round_uc.load_round(rounds, c.round_id)
    access.check_may_run_round(principal, r)
    if r.level is not RoundLevel.STREET:
        raise Invalid("round_id", "提案大赛的获胜提案进入街道级微创投，须选择街道级届次")
    assert r.street_code is not None
    c.street_code = r.street_code
    c.validate()
    await contests.add(c)
    return c


async def add_proposal(contests: Contests, orgs: Orgs, p: Proposal, *, principal: Principal, now: datetime) -> Proposal:
    """The street registers a proposal its residents or group present."""
    c = await load_contest(contests, p.contest_id, for_update=True)
    access.check_may_run_round(principal, c)
    c.check_accepts_proposals(now)
    if await orgs.get(p.org_id) is None:
        raise Invalid("org_id", "提案团队须是已登记或备案的组织（venture 尚未收到该组织）")
    await contests.add_proposal(p)
    return p


async def score(
    contests: Contests, contest_id: UUID, proposal_id: UUID, value: Decimal, *, panelist: str, now: datetime
) -> None:
    """A panelist scores a proposal (0–100); scoring again replaces the score."""
    c = await load_contest(contests, contest_id)
    c.check_panelist(panelist, now)
    if proposal_id not in {p.id for p in c.proposals}:
        raise Invalid("proposal_id", "该提案不属于本场提案大赛")
    await contests.save_score(proposal_id, panelist, value)


async def vote(
    contests: Contests,
    contest_id: UUID,
    proposal_id: UUID,
    *,
    principal: Principal | None,
    phone: str | None,
    now: datetime,
) -> str:
    """One vote per signed-in person or verified phone per contest, within the time box."""
    c = await load_contest(contests, contest_id)
    c.check_voting(now, proposal_id)
    if principal is not None:
        voter = f"sub:{principal.sub}"
    elif phone:
        voter = f"phone:{mobile_number(phone)}"
    else:
        raise Invalid("phone", "未登录时须填写手机号码投票")
    if not await contests.add_vote(contest_id, voter, proposal_id, now):
        raise Conflict("每人每场提案大赛只能投一票，你已经投过票了", code="already_voted")
    return voter


async def close(
    rounds: Rounds,
    applications: Applications,
    orgs: Orgs,
    contests: Contests,
    contest_id: UUID,
    *,
    principal: Principal,
    now: datetime,
    today: date,
) -> tuple[Contest, list[IntegrationEvent]]:
    """Close after the time box; the winners become applications in the street's round."""
    c = await load_contest(contests, contest_id, for_update=True)
    access.check_may_run_round(principal, c)
    votes = await contests.votes(contest_id)
    winners = c.close(now, await contests.panel(contest_id), votes)
    await contests.save_status(c)
    events: list[IntegrationEvent] = []
    won: list[ContestWinner] = []
    for s in winners:
        p = s.proposal
        req = round_uc.ApplicationRequest(
            org_id=p.org_id,
            sponsor_org_id=p.sponsor_org_id,
            submitted_by=principal.sub,
            title=p.title,
            street_code=c.street_code,
            community=p.community,
            domain=p.domain,
            requested_cny=p.requested_cny,
            plan=f"提案大赛“{c.title}”获胜提案（提案人：{p.presenter}）：{p.summary}",
        )
        app, caused = await round_uc.submit_application(rounds, applications, orgs, c.round_id, req, today=today)
        await contests.link_application(p.id, app.id)
        p.application_id = app.id
        events += caused
        won.append(
            ContestWinner(
                proposal_id=p.id,
                title=p.title,
                org_id=p.org_id,
                application_id=app.id,
                panel_mean=s.panel_mean,
                votes=s.votes,
                result=s.result,
            )
        )
    log.info("proposal_contest_closed", contest_id=str(c.id), winners=len(won))
    closed = ProposalContestClosed(
        contest_id=c.id,
        round_id=c.round_id,
        street_code=c.street_code,
        title=c.title,
        proposals=len(c.proposals),
        votes=sum(votes.values()),
        winners=won,
    )
    return c, [closed, *events]
