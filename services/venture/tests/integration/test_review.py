"""Review panels: conflicts declared before opening, blind review, reviewers' scores kept apart."""

from __future__ import annotations

from shared.auth import Role
from testkit import token

from ..conftest import ADMIN, scores


async def _reviewable(flow, orgs, *, blind=False):
    a = await orgs.add("甲社工事务所")
    b = await orgs.add("乙社区服务中心")
    round_id = await flow.open_round(blind_review=blind)
    app_a = await flow.apply(round_id, a, "甲项目")
    app_b = await flow.apply(round_id, b, "乙项目")
    await flow.close(round_id)
    await flow.screen_in(app_a)
    await flow.screen_in(app_b)
    await flow.ok(
        "POST", f"/rounds/{round_id}/assignments", ADMIN, {"reviewer": "rev-1", "application_ids": [app_a, app_b]}, 201
    )
    return round_id, a, b, app_a, app_b


async def test_a_reviewer_must_declare_conflicts_before_opening_an_application(flow, orgs):
    round_id, _, _, app_a, _ = await _reviewable(flow, orgs)
    rev = token(Role.REVIEWER, sub="rev-1")
    assert (await flow.c.get(f"/applications/{app_a}", headers=rev)).status_code == 403
    assert (await flow.c.put(f"/applications/{app_a}/scores/mine", json=scores(80), headers=rev)).status_code == 403
    listed = (await flow.c.get("/reviewer/assignments", headers=rev)).json()
    assert {x["title"] for x in listed} == {None}
    await flow.ok("POST", f"/rounds/{round_id}/declarations", rev, {"statement": "无利益关系"}, 201)
    assert (await flow.c.get(f"/applications/{app_a}", headers=rev)).status_code == 200


async def test_a_reviewer_cannot_open_or_score_an_application_they_are_conflicted_with(flow, orgs):
    round_id, a, _, app_a, app_b = await _reviewable(flow, orgs)
    rev = token(Role.REVIEWER, sub="rev-1")
    applicants = await flow.ok("GET", f"/rounds/{round_id}/applicants", rev)
    assert str(a) in {x["org_id"] for x in applicants}
    declared = await flow.ok(
        "POST",
        f"/rounds/{round_id}/declarations",
        rev,
        {"conflicted_org_ids": [str(a)], "statement": "本人曾在甲社工事务所任理事"},
        201,
    )
    assert declared["conflicted_application_ids"] == [app_a]
    assert (await flow.c.get(f"/applications/{app_a}", headers=rev)).status_code == 403
    assert (await flow.c.put(f"/applications/{app_a}/scores/mine", json=scores(99), headers=rev)).status_code == 403
    assert (await flow.c.put(f"/applications/{app_b}/scores/mine", json=scores(70), headers=rev)).status_code == 200
    # Nor can the district assign them the conflicted one again in another batch.
    r = await flow.c.post(
        f"/rounds/{round_id}/assignments", json={"reviewer": "rev-1", "application_ids": [app_a]}, headers=ADMIN
    )
    assert r.status_code == 409 and r.json()["code"] == "reviewer_conflicted"
    # A declaration is final.
    r = await flow.c.post(f"/rounds/{round_id}/declarations", json={"statement": "改口"}, headers=rev)
    assert r.status_code == 409


async def test_on_a_blind_round_reviewers_see_no_applicant_identity(flow, orgs):
    round_id, _, _, app_a, _ = await _reviewable(flow, orgs, blind=True)
    rev = token(Role.REVIEWER, sub="rev-1")
    await flow.ok("POST", f"/rounds/{round_id}/declarations", rev, {"statement": "无"}, 201)
    seen = await flow.ok("GET", f"/applications/{app_a}", rev)
    assert seen["title"] == "甲项目"
    for hidden in ("org_id", "org_name", "sponsor_org_id", "submitted_by", "score", "rank"):
        assert hidden not in seen
    admin_view = await flow.ok("GET", f"/applications/{app_a}", ADMIN)
    assert admin_view["org_name"] == "甲社工事务所"


async def test_reviewers_see_only_their_own_scores_and_only_assigned_applications(flow, orgs):
    round_id, _, _, app_a, app_b = await _reviewable(flow, orgs)
    await flow.ok(
        "POST", f"/rounds/{round_id}/assignments", ADMIN, {"reviewer": "rev-2", "application_ids": [app_a]}, 201
    )
    r1, r2 = token(Role.REVIEWER, sub="rev-1"), token(Role.REVIEWER, sub="rev-2")
    for h in (r1, r2):
        await flow.ok("POST", f"/rounds/{round_id}/declarations", h, {"statement": "无"}, 201)
    await flow.ok("PUT", f"/applications/{app_a}/scores/mine", r1, scores(90))
    await flow.ok("PUT", f"/applications/{app_a}/scores/mine", r2, scores(60))
    mine = await flow.ok("GET", f"/applications/{app_a}/scores", r2)
    assert [s["reviewer"] for s in mine] == ["rev-2"]
    assert len(await flow.ok("GET", f"/applications/{app_a}/scores", ADMIN)) == 2
    # rev-2 was not given app_b.
    assert (await flow.c.get(f"/applications/{app_b}", headers=r2)).status_code == 403
    assert (await flow.c.get(f"/applications/{app_b}/scores", headers=r2)).status_code == 403


async def test_a_score_must_cover_the_rubric_within_range(flow, orgs):
    round_id, _, _, app_a, _ = await _reviewable(flow, orgs)
    rev = token(Role.REVIEWER, sub="rev-1")
    await flow.ok("POST", f"/rounds/{round_id}/declarations", rev, {"statement": "无"}, 201)
    r = await flow.c.put(f"/applications/{app_a}/scores/mine", json={"criteria": {"need": "80"}}, headers=rev)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "criteria", "design"]
    bad = scores(80)
    bad["criteria"]["need"] = "120"
    r = await flow.c.put(f"/applications/{app_a}/scores/mine", json=bad, headers=rev)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "criteria", "need"]


async def test_awards_stop_when_the_budget_is_exhausted(flow, orgs):
    ids = [await orgs.add(f"机构{i}") for i in range(4)]
    round_id = await flow.open_round(total_budget_cny="200000.00")
    apps = [await flow.apply(round_id, org, f"项目{i}", requested_cny="80000.00") for i, org in enumerate(ids)]
    # The two best take 160k of the 200k budget; the next ones (80k each) no longer fit.
    app_scores = dict(zip(apps, [90, 85, 80, 75], strict=True))
    await flow.close(round_id)
    for a in apps:
        await flow.screen_in(a)
    await flow.review(round_id, app_scores)
    ranking = await flow.ok("GET", f"/rounds/{round_id}/ranking", ADMIN)
    decided = {x["application_id"]: x for x in ranking["ranking"]}
    assert [decided[a]["selected"] for a in apps] == [True, True, False, False]
    assert decided[apps[2]]["reason"] == "本届预算已用尽"
    await flow.through_notice(round_id)
    grants = await flow.award(round_id)
    assert sorted(g["application_id"] for g in grants) == sorted(apps[:2])
    notice = await flow.ok("GET", f"/rounds/{round_id}/notice", {})
    assert len(notice["projects"]) == 2
