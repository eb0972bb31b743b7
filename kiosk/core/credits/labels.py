"""Chinese labels for every enumerated value the organizer's exports and screens show."""

from __future__ import annotations

from kiosk.core.credits.corrections import CorrectionKind
from kiosk.core.credits.records import FLAG_LABELS_ZH, METHOD_LABELS_ZH
from kiosk.core.model import Direction, ProjectForm, ProjectKind, ProjectLevel, Role

LEVEL_LABELS_ZH = {
    ProjectLevel.NATIONAL: "国家级",
    ProjectLevel.PROVINCIAL: "省级",
    ProjectLevel.MUNICIPAL: "市级",
    ProjectLevel.UNIT: "单位",
}
FORM_LABELS_ZH = {
    ProjectForm.FACE_TO_FACE: "面授",
    ProjectForm.REMOTE: "远程",
    ProjectForm.PRACTICE_ACTIVITY: "继续医学教育实践活动",
}
KIND_LABELS_ZH = {
    ProjectKind.RECOMMENDED: "推荐项目",
    ProjectKind.PROMOTED: "推广项目",
}
# 主讲人 is the regulations' word (Inner Mongolia draft 第十条).
ROLE_LABELS_ZH = {Role.PARTICIPANT: "学员", Role.SPEAKER: "主讲人"}
DIRECTION_LABELS_ZH = {Direction.IN: "签到", Direction.OUT: "签退"}
CORRECTION_LABELS_ZH = {
    CorrectionKind.ADD_CHECKOUT: "补录签退",
    CorrectionKind.ADD_CHECKIN: "补录签到",
    CorrectionKind.VOID_RECORD: "作废记录",
    CorrectionKind.MERGE_PROVISIONAL: "合并临时登记",
}
TIME_UNIT_LABELS_ZH = {"hours": "小时", "minutes": "分钟"}
PROVISIONAL_ZH = "暂定"

__all__ = [
    "CORRECTION_LABELS_ZH",
    "DIRECTION_LABELS_ZH",
    "FLAG_LABELS_ZH",
    "FORM_LABELS_ZH",
    "KIND_LABELS_ZH",
    "LEVEL_LABELS_ZH",
    "METHOD_LABELS_ZH",
    "PROVISIONAL_ZH",
    "ROLE_LABELS_ZH",
    "TIME_UNIT_LABELS_ZH",
]
