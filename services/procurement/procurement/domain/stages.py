"""The ten steps as a state machine: which command is legal in which stage."""

from __future__ import annotations

from enum import StrEnum

from shared.errors import Conflict


class Stage(StrEnum):
    """Where a project is. Step 1 (demand collection) lives on demands, before a project exists."""

    SORTING = "sorting"  # 2 需求梳理
    SOLICITATION = "solicitation"  # 3 项目征集
    SCREENING = "screening"  # 4 项目初筛
    REVIEW = "review"  # 5 立项评审
    ANNOUNCEMENT = "announcement"  # 6 项目公示
    OPTIMISATION = "optimisation"  # 7 项目优化
    SIGNING = "signing"  # 8 项目签约
    MONITORING = "monitoring"  # 9 项目监测
    EVALUATED = "evaluated"  # 10 项目评估 (done)
    CANCELLED = "cancelled"
    UNSUCCESSFUL = "unsuccessful"


STAGE_NAMES: dict[Stage, str] = {
    Stage.SORTING: "需求梳理",
    Stage.SOLICITATION: "项目征集",
    Stage.SCREENING: "项目初筛",
    Stage.REVIEW: "立项评审",
    Stage.ANNOUNCEMENT: "项目公示",
    Stage.OPTIMISATION: "项目优化",
    Stage.SIGNING: "项目签约",
    Stage.MONITORING: "项目监测",
    Stage.EVALUATED: "项目评估完成",
    Stage.CANCELLED: "已取消",
    Stage.UNSUCCESSFUL: "采购失败(流标)",
}

TERMINAL = frozenset({Stage.EVALUATED, Stage.CANCELLED})
ACTIVE = frozenset(Stage) - TERMINAL - {Stage.UNSUCCESSFUL}


class Command(StrEnum):
    REVISE = "revise"
    OPEN_SOLICITATION = "open_solicitation"
    SUBMIT_PROPOSAL = "submit_proposal"
    CLOSE_SOLICITATION = "close_solicitation"
    SCREEN_PROPOSAL = "screen_proposal"
    START_REVIEW = "start_review"
    ASSIGN_REVIEWER = "assign_reviewer"
    DECLARE_CONFLICTS = "declare_conflicts"
    SCORE = "score"
    APPROVE = "approve"
    FILE_OBJECTION = "file_objection"
    RESOLVE_OBJECTION = "resolve_objection"
    CLOSE_ANNOUNCEMENT = "close_announcement"
    OPTIMISE = "optimise"
    SIGN = "sign"
    ASSIGN_MONITOR = "assign_monitor"
    REPORT_MONITORING = "report_monitoring"
    RECORD_PAYMENT = "record_payment"
    EVALUATE = "evaluate"
    CANCEL = "cancel"
    DECLARE_UNSUCCESSFUL = "declare_unsuccessful"
    RESOLICIT = "resolicit"


ALLOWED: dict[Command, frozenset[Stage]] = {
    Command.REVISE: frozenset({Stage.SORTING}),
    Command.OPEN_SOLICITATION: frozenset({Stage.SORTING}),
    Command.SUBMIT_PROPOSAL: frozenset({Stage.SOLICITATION}),
    Command.CLOSE_SOLICITATION: frozenset({Stage.SOLICITATION}),
    Command.SCREEN_PROPOSAL: frozenset({Stage.SCREENING}),
    Command.START_REVIEW: frozenset({Stage.SCREENING}),
    Command.ASSIGN_REVIEWER: frozenset({Stage.REVIEW}),
    Command.DECLARE_CONFLICTS: frozenset({Stage.REVIEW}),
    Command.SCORE: frozenset({Stage.REVIEW}),
    Command.APPROVE: frozenset({Stage.REVIEW}),
    Command.FILE_OBJECTION: frozenset({Stage.ANNOUNCEMENT}),
    Command.RESOLVE_OBJECTION: frozenset({Stage.ANNOUNCEMENT}),
    Command.CLOSE_ANNOUNCEMENT: frozenset({Stage.ANNOUNCEMENT}),
    Command.OPTIMISE: frozenset({Stage.OPTIMISATION}),
    Command.SIGN: frozenset({Stage.SIGNING}),
    Command.ASSIGN_MONITOR: frozenset({Stage.SIGNING, Stage.MONITORING}),
    Command.REPORT_MONITORING: frozenset({Stage.MONITORING}),
    Command.RECORD_PAYMENT: frozenset({Stage.MONITORING}),
    Command.EVALUATE: frozenset({Stage.MONITORING}),
    Command.CANCEL: ACTIVE,
    Command.DECLARE_UNSUCCESSFUL: frozenset({Stage.SOLICITATION, Stage.SCREENING, Stage.REVIEW}),
    Command.RESOLICIT: frozenset({Stage.UNSUCCESSFUL}),
}


class IllegalTransition(Conflict):
    """The command is not legal in the project's current stage (HTTP 409)."""

    code = "illegal_transition"

    def __init__(self, command: Command, stage: Stage) -> None:
        allowed = "、".join(STAGE_NAMES[s] for s in Stage if s in ALLOWED[command])
        super().__init__(
            f"项目处于「{STAGE_NAMES[stage]}」({stage})阶段，不能执行 {command}；该操作只能在以下阶段进行：{allowed}"
        )
        self.command, self.stage = command, stage


def check(command: Command, stage: Stage) -> None:
    """Refuse a command the stage does not allow."""
    if stage not in ALLOWED[command]:
        raise IllegalTransition(command, stage)
