"""The story the demo replays, as data: pure and deterministic (a seed, a scale), no I/O.

Every figure the article gives is a target here; `Plan.expected` is what the services'
statistics must show afterwards (scaled, rounded to whole organisations and projects).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from ops.demo import names
from shared.contracts.registry import AllianceCategory
from shared.reference import STREETS

# The article's figures (source-article.zh.txt).
ARTICLE = {
    "orgs_2007": 330,
    "sa_2007": 116,
    "pne_2007": 214,
    "orgs_now": 687,
    "sa_now": 224,
    "pne_now": 463,
    "street_platforms": 17,
    "party_branches": 33,
    "alliance_members": 20,
    "alliance_categories": 9,
    "venture_rounds": 6,
    "social_orgs_cultivated": 52,
    "community_orgs_cultivated": 62,
    "community_orgs_graduated": 20,  # "20余家": more than 20
    "projects": 230,
    "undertakers": 80,
    "contract_value_cny": Decimal("20000000"),  # "2000余万元": over 20 M
    "beneficiary_person_times": 269116,
}
NOW_YEAR = 2020  # the article's "now" (it cites the 4th plenum of the 19th CC, late 2019)
ROUND_YEARS = (2014, 2015, 2016, 2017, 2018, 2019)
PROJECT_YEARS = (2014, 2015, 2016, 2017, 2018, 2019, 2020)
GRADUATES_FULL = 22
CONTRACT_VALUE_FULL = Decimal("20150000.00")
COMMUNITY_FILED_FULL = 320
STREET_CODES = sorted(STREETS)


@dataclass
class OrgSpec:
    key: int
    name: str
    org_type: str  # social_association | private_non_enterprise | community_org
    street_code: str | None
    domains: list[str]
    registered_on: date | None = None
    credit_code: str | None = None
    filed_on: date | None = None
    community: str | None = None
    support: bool = False
    named: bool = False  # registered one by one over HTTP (the rest come in the roster CSV)
    sponsor_code: str | None = None  # a community group's sponsor, named in the roster (venture needs it)
    graduation: Graduation | None = None

    @property
    def registered(self) -> bool:
        return self.org_type != "community_org"


@dataclass
class Graduation:
    name: str
    org_type: str
    credit_code: str
    registered_on: date


@dataclass
class ApplicationSpec:
    org: int
    sponsor: int | None
    title: str
    street_code: str
    community: str | None
    domain: str
    requested_cny: Decimal
    outcome: str  # funded | screened_out | low_score


@dataclass
class RoundSpec:
    number: int
    year: int
    applications: list[ApplicationSpec]

    @property
    def budget_cny(self) -> Decimal:
        funded = sum((a.requested_cny for a in self.applications if a.outcome == "funded"), Decimal(0))
        return funded + Decimal("50000.00")


@dataclass
class ProjectSpec:
    ref: str
    year: int
    purchaser: dict[str, str]
    source_system: str  # the department's own OA, in the demand_ref; the demo publishes as one login
    street_code: str | None
    title: str
    domain: str
    budget_cny: Decimal
    amount_cny: Decimal
    beneficiaries: int
    winner: int
    competitors: list[int]
    published_on: date
    objection: str | None = None  # a losing bidder objects during the announcement: dismissed | upheld
    first_call_empty: bool = False  # nobody proposed in the first call: unsuccessful, re-solicited


@dataclass
class BranchSpec:
    name: str
    formed_on: date
    street_code: str | None
    orgs: list[int] = field(default_factory=list)


@dataclass
class Plan:
    scale: float
    orgs: list[OrgSpec]
    rounds: list[RoundSpec]
    branches: list[BranchSpec]
    alliance: list[tuple[int, str, date]]
    projects: list[ProjectSpec]
    expected: dict[str, object]
    cancelled: list[ProjectSpec] = field(default_factory=list)  # sorted, then withdrawn by the purchaser

    def org(self, key: int) -> OrgSpec:
        return self.orgs[key]


def scaled(n: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(n * scale))


def split(total: int, weights: list[float]) -> list[int]:
    """Largest-remainder split of `total` by weights (sums exactly to total)."""
    raw = [total * w / sum(weights) for w in weights]
    out = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)[: total - sum(out)]:
        out[i] += 1
    return out


def _hundreds(x: Decimal) -> Decimal:
    return ((x / 100).quantize(Decimal(1)) * 100).quantize(Decimal("0.01"))


def _uscc(category: str, serial: int, division: str = "110101") -> str:
    from registry.domain.uscc import make_code

    return make_code(category, division, f"MJ{serial:06d}")


def _day(rng: random.Random, year: int, first_month: int = 1, last_month: int = 12) -> date:
    start = date(year, first_month, 1)
    end = date(year + 1, 1, 1) if last_month == 12 else date(year, last_month + 1, 1)
    return start + timedelta(days=rng.randrange((end - start).days))


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng, self.used = rng, {n for n, *_ in names.NAMED_REGISTERED}

    def registered(self, org_type: str) -> str:
        suffixes = names.SA_SUFFIXES if org_type == "social_association" else names.PNE_SUFFIXES
        while True:
            a, b = self.rng.sample(names.CORES, 2)
            prefix = self.rng.choice(["东城区", "北京市东城区", "东城区"])
            name = f"{prefix}{a}{b}{self.rng.choice(suffixes)}"
            if name not in self.used:
                self.used.add(name)
                return name

    def community(self, community: str) -> str:
        while True:
            name = f"{community}社区{self.rng.choice(names.COMMUNITY_GROUPS)}"
            if name not in self.used:
                self.used.add(name)
                return name
            community = f"{community}{self.rng.choice('东西南北')}"


def build(scale: float = 1.0, seed: int = 2007) -> Plan:
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible by seed
    nm = _Names(rng)
    serial = iter(range(1, 10**6))
    orgs: list[OrgSpec] = []

    def add(**kw: object) -> OrgSpec:
        org = OrgSpec(key=len(orgs), **kw)  # type: ignore[arg-type]
        orgs.append(org)
        return org

    sa_2007, pne_2007 = scaled(116, scale), scaled(214, scale)
    sa_now, pne_now = scaled(224, scale), scaled(463, scale)
    graduates = scaled(GRADUATES_FULL, scale)
    grad_sa = round(graduates * 4 / GRADUATES_FULL)
    grad_pne = graduates - grad_sa
    domains = [d for d, _ in names.SERVICES]

    def registered(org_type: str, on: date, name: str | None = None, **kw: object) -> OrgSpec:
        category = "51" if org_type == "social_association" else "52"
        return add(
            name=name or nm.registered(org_type),
            org_type=org_type,
            street_code=rng.choice([*STREET_CODES, None]),  # type: ignore[list-item]
            domains=sorted(set(rng.sample(domains, 2))),
            registered_on=on,
            credit_code=_uscc(category, next(serial)),
            **kw,
        )

    # Registered before the centre opened (1988-2007): the 2007 stock.
    for org_type, n in (("social_association", sa_2007), ("private_non_enterprise", pne_2007)):
        for _ in range(n):
            registered(org_type, _day(rng, rng.randint(1988, 2007)))
    # Named organisations of the article, then growth 2008-2020 up to today's stock minus graduates.
    quota = {"social_association": sa_now - sa_2007 - grad_sa, "private_non_enterprise": pne_now - pne_2007 - grad_pne}
    for name, org_type, year, support in names.NAMED_REGISTERED:
        if quota[org_type] > 0 and (support or len([o for o in orgs if o.named]) < max(2, round(13 * scale))):
            quota[org_type] -= 1
            registered(org_type, _day(rng, year, 1, 6), name=name, support=support, named=True)
    for org_type, n in quota.items():
        for _ in range(n):
            # Growth speeds up once the centre and the platforms work (2014 onwards).
            year = rng.choices(range(2008, NOW_YEAR + 1), weights=[1] * 6 + [2] * 7)[0]
            registered(org_type, _day(rng, year))

    # Community social organisations filed with their streets (2010-2019).
    for i in range(scaled(COMMUNITY_FILED_FULL, scale)):
        street = STREET_CODES[i % len(STREET_CODES)]
        community = names.COMMUNITIES[i % len(names.COMMUNITIES)]
        add(
            name=nm.community(community),
            org_type="community_org",
            street_code=street,
            domains=[rng.choice(domains)],
            filed_on=_day(rng, rng.randint(2010, 2013)),
            community=f"{community}社区",
        )

    rounds = _rounds(rng, scale, orgs, graduates, grad_sa, serial)
    branches = _branches(rng, scale, orgs)
    alliance = _alliance(rng, scale, orgs)
    projects = _projects(rng, scale, orgs, rounds)
    expected: dict[str, object] = {
        "sa_2007": sa_2007,
        "pne_2007": pne_2007,
        "orgs_2007": sa_2007 + pne_2007,
        "sa_now": sa_now,
        "pne_now": pne_now,
        "orgs_now": sa_now + pne_now,
        "street_platforms": 17,
        "party_branches": len(branches),
        "alliance_members": len(alliance),
        "alliance_categories": len({c for _, c, _ in alliance}),
        "venture_rounds": len(rounds),
        "social_orgs_cultivated": len(
            {a.org for r in rounds for a in r.applications if a.outcome == "funded" and a.sponsor is None}
        ),
        "community_orgs_cultivated": len(
            {a.org for r in rounds for a in r.applications if a.outcome == "funded" and a.sponsor is not None}
        ),
        "community_orgs_graduated": graduates,
        "projects": len(projects),
        "undertakers": len({p.winner for p in projects}),
        "contract_value_cny": sum((p.amount_cny for p in projects), Decimal(0)),
        "beneficiary_person_times": sum(p.beneficiaries for p in projects),
    }
    cancelled = [
        ProjectSpec(
            ref=f"MZJ-{year}-C{n + 1:02d}",
            year=year,
            purchaser={"code": "11010100MZJ", "name": "东城区民政局", "kind": "district_department"},
            source_system="mzj-oa",
            street_code=None,
            title=f"{year}年东城区社区治理骨干培训项目（预算调整）",
            domain="community_governance",
            budget_cny=Decimal("80000.00"),
            amount_cny=Decimal("0.00"),
            beneficiaries=300,
            winner=-1,
            competitors=[],
            published_on=_day(rng, year, 1, 5),
        )
        for n, year in enumerate(PROJECT_YEARS[: scaled(4, scale)])
    ]
    return Plan(scale, orgs, rounds, branches, alliance, projects, expected, cancelled)


def _rounds(
    rng: random.Random, scale: float, orgs: list[OrgSpec], graduates: int, grad_sa: int, serial: object
) -> list[RoundSpec]:
    """Six rounds (2014-2019) cultivating 52 social orgs and 62 community orgs; 22 of the latter register."""
    social = split(scaled(52, scale), [7, 8, 8, 9, 10, 10])
    community = split(scaled(62, scale), [6, 8, 10, 11, 13, 14])
    support = [o.key for o in orgs if o.support]
    used: set[int] = set()
    rounds = []
    for number, year in enumerate(ROUND_YEARS, start=1):
        apps: list[ApplicationSpec] = []
        young = [
            o
            for o in orgs
            if o.registered
            and o.registered_on
            and 2008 <= o.registered_on.year < year
            and not o.named
            and o.key not in used
        ]
        filed = [o for o in orgs if o.org_type == "community_org" and o.key not in used]
        picks = rng.sample(young, social[number - 1]) + rng.sample(filed, community[number - 1])
        extra = rng.sample([o for o in young if o not in picks], max(1, round(len(picks) * 0.25)))
        for i, org in enumerate(picks + extra):
            used.add(org.key)
            domain, service = rng.choice(names.SERVICES)
            is_community = org.org_type == "community_org"
            outcome = "funded" if i < len(picks) else ("screened_out" if i % 2 else "low_score")
            sponsor = rng.choice(support) if is_community else None
            if sponsor is not None:  # registry records it from the roster; only it may apply for the group
                org.sponsor_code = orgs[sponsor].credit_code
            apps.append(
                ApplicationSpec(
                    org=org.key,
                    sponsor=sponsor,
                    title=f"{org.name.removeprefix('北京市').removeprefix('东城区')}{service}（第{number}届创投）",
                    street_code=org.street_code or rng.choice(STREET_CODES),
                    community=org.community,
                    domain=domain,
                    requested_cny=Decimal(rng.randrange(30, 101) * 1000),
                    outcome=outcome,
                )
            )
        rounds.append(RoundSpec(number, year, apps))
    # Graduation: community orgs cultivated in a round register a year or more later.
    cultivated = [(r, a) for r in rounds for a in r.applications if a.outcome == "funded" and a.sponsor is not None]
    chosen = sorted(rng.sample(cultivated, graduates), key=lambda ra: ra[0].year)
    for i, (r, a) in enumerate(chosen):
        org = orgs[a.org]
        org_type = "social_association" if i >= graduates - grad_sa else "private_non_enterprise"
        if i < len(names.NAMED_GRADUATES):
            filed_name, new_name = names.NAMED_GRADUATES[i]
            a.title = a.title.replace(org.name, filed_name, 1)
            org.name = filed_name
            division = "110000" if i == 0 else "110101"  # 夕阳再晨 registered with the city
        else:
            new_name = f"东城区{org.name}{'协会' if org_type == 'social_association' else '服务中心'}"
            division = "110101"
        category = "51" if org_type == "social_association" else "52"
        org.graduation = Graduation(
            name=new_name,
            org_type=org_type,
            credit_code=_uscc(category, next(serial), division),  # type: ignore[call-overload]
            registered_on=_day(rng, min(r.year + 1 + i % 2, NOW_YEAR)),
        )
    return rounds


def _branches(rng: random.Random, scale: float, orgs: list[OrgSpec]) -> list[BranchSpec]:
    """33 functional party branches (2016-2018) covering the registered organisations."""
    count = scaled(33, scale)
    branches = [
        BranchSpec(
            name=f"东城区社会组织第{i + 1}功能型党支部",
            formed_on=_day(rng, 2016 + i * 3 // count, 3, 11),
            street_code=STREET_CODES[i % 17] if i < 17 else None,
        )
        for i in range(count)
    ]
    members = [o for o in orgs if o.registered] + [o for o in orgs if o.graduation]
    for i, org in enumerate(members):
        branches[i % count].orgs.append(org.key)
    return branches


def _alliance(rng: random.Random, scale: float, orgs: list[OrgSpec]) -> list[tuple[int, str, date]]:
    """The 创益汇 alliance (2017): 20 professional organisations in 9 categories."""
    size = scaled(20, scale)
    categories = [c.value for c in AllianceCategory]
    pool = [o for o in orgs if o.registered and o.registered_on and o.registered_on.year < 2017]
    support = [o for o in pool if o.support]
    members = support + rng.sample([o for o in pool if not o.support], size - len(support))
    return [(o.key, categories[i % len(categories)], date(2017, 6, 16)) for i, o in enumerate(members[:size])]


def _projects(rng: random.Random, scale: float, orgs: list[OrgSpec], rounds: list[RoundSpec]) -> list[ProjectSpec]:
    """230 purchased projects (2014-2020) taken by 80 organisations: 20.15 M CNY, 269,116 person-times."""
    n = scaled(230, scale)
    n_orgs = min(n, scaled(80, scale))
    value = _hundreds(CONTRACT_VALUE_FULL * Decimal(str(scale)))
    people = round(269116 * scale)
    venture_orgs = {a.org for r in rounds for a in r.applications}
    pool = [
        o
        for o in orgs
        if o.registered and o.registered_on and o.registered_on.year <= 2013 and o.key not in venture_orgs
    ]
    named = [o for o in pool if o.named and not o.support]
    undertakers = (named + rng.sample([o for o in pool if o not in named], n_orgs))[:n_orgs]
    winners = [o.key for o in undertakers] + [rng.choice(undertakers).key for _ in range(n - n_orgs)]
    rng.shuffle(winners)
    years = split(n, [4, 6, 8, 10, 12, 13, 13])
    weights = [rng.uniform(0.4, 1.6) for _ in range(n)]
    amounts = [_hundreds(value * Decimal(w / sum(weights))) for w in weights]
    amounts[-1] += value - sum(amounts)
    heads = [rng.uniform(0.3, 1.7) for _ in range(n)]
    beneficiaries = [int(people * h / sum(heads)) for h in heads]
    beneficiaries[-1] += people - sum(beneficiaries)
    streets_that_buy = {"110101010": "和平里街道办事处", "110101014": "龙潭街道办事处", "110101012": "崇外街道办事处"}
    projects = []
    i = 0
    for year, count in zip(PROJECT_YEARS, years, strict=True):
        for k in range(count):
            domain, service = rng.choice(names.SERVICES)
            target_street: str | None
            if k % 3 == 2:
                street, office = rng.choice(sorted(streets_that_buy.items()))
                purchaser = {"code": f"{street}JDB", "name": office, "kind": "street_office"}
                source, target_street = f"street-{street}-oa", street
            else:
                code, dept, source = rng.choice(names.DEPARTMENTS)
                purchaser = {"code": code, "name": dept, "kind": "district_department"}
                target_street = rng.choice([*STREET_CODES, None])
            place = STREETS[target_street] if target_street else "东城区"
            winner = winners[i]
            others = [o.key for o in rng.sample(pool, 3) if o.key != winner][: 1 + (k % 3 == 0)]
            amount = amounts[i]
            projects.append(
                ProjectSpec(
                    ref=f"{source.split('-')[0].upper()}-{year}-{k + 1:03d}",
                    year=year,
                    purchaser=purchaser,
                    source_system=source,
                    street_code=target_street,
                    title=f"{year}年{place}{service}项目（{k + 1}）",
                    domain=domain,
                    budget_cny=_hundreds(amount * Decimal("1.1")) + Decimal(1000),
                    amount_cny=amount,
                    beneficiaries=beneficiaries[i],
                    winner=winner,
                    competitors=others,
                    published_on=_day(rng, year, 1, 5),
                    objection="upheld" if i % 50 == 21 else "dismissed" if i % 20 == 7 else None,
                    first_call_empty=i % 40 == 13,
                )
            )
            i += 1
    return projects
