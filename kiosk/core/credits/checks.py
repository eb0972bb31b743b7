"""Checks of a project against its profile, for project creation and the organizer's screens."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.core.credits.labels import LEVEL_LABELS_ZH, METHOD_LABELS_ZH
from kiosk.core.model import Method, Project
from kiosk.core.rules.schema import Profile


@dataclass(frozen=True, slots=True)
class ProjectWarning:
    """Something about a project the organizer should fix or know before the event."""

    code: str  # method_not_accepted | provisional_figures | profile_mismatch
    message: str  # English, for logs and the server's answer
    message_zh: str  # for the organizer's screens

    def __str__(self) -> str:
        return self.message


def _zh(methods: list[Method]) -> str:
    return "、".join(METHOD_LABELS_ZH[m] for m in methods)


def method_warnings(project: Project, profile: Profile) -> list[ProjectWarning]:
    """A warning when the desks may record a method the profile does not accept at the level."""
    rule = profile.attendance.accepted(project.level)
    accepted = set(rule.value)
    refused = sorted(set(project.checkin.methods) - accepted, key=list(Method).index)
    if not refused:
        return []
    allowed = sorted(accepted, key=list(Method).index)
    level = project.level.value
    return [
        ProjectWarning(
            "method_not_accepted",
            f"project {project.number} lets its desks record {', '.join(m.value for m in refused)},"
            f" but {profile.name} accepts only {', '.join(m.value for m in allowed)} for {level}"
            f" projects ({rule.source}): those records will be flagged method_not_accepted;"
            " turn those methods off in the project's [checkin] methods",
            f"本项目启用了{_zh(refused)}考勤，但{profile.title}对"
            f"{LEVEL_LABELS_ZH[project.level]}项目只认可{_zh(allowed)}（{rule.source}）："
            "这些记录将被标记为“考勤方式不符”，请在项目的考勤方式中关闭它们",
        )
    ]


def project_warnings(project: Project, profile: Profile) -> list[ProjectWarning]:
    """Everything to warn about a project under its profile (empty: nothing to warn about)."""
    out = []
    if project.profile != profile.name:
        out.append(
            ProjectWarning(
                "profile_mismatch",
                f"project {project.number} names profile {project.profile}, checked against"
                f" {profile.name}",
                f"项目规则为 {project.profile}，此处按 {profile.name} 检查",
            )
        )
    out.extend(method_warnings(project, profile))
    form = f"forms.{project.form.value}."
    provisional = [p for p, node in profile.figures() if node.provisional and p.startswith(form)]
    if provisional:
        names = ", ".join(p.removeprefix(form) for p in provisional)
        out.append(
            ProjectWarning(
                "provisional_figures",
                f"{profile.name} has no source text for {names} of {project.form.value} projects:"
                " credits resting on them are provisional (暂定)",
                f"{profile.title}中本形式项目的部分学分规则无原文依据（{names}）："
                "依据这些规则计算的学分标为“暂定”",
            )
        )
    return out
