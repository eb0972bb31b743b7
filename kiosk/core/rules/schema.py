"""The shape of a province rules profile: every figure carries the article it comes from."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Generic, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from kiosk.core.model import Method, ProjectForm, ProjectLevel

T = TypeVar("T")

# A figure is one of three kinds (docs/credits.md, "Sources"):
# - cited: `source` names the article and `quote` gives its words, found in the profile's text;
# - provisional: the project has no text that says it (`provisional = true`, `note` says why and
#   where the figure comes from); credits that rest on it are labelled 暂定;
# - policy: a decision of this software, not of a regulation (`source = "kiosk policy: …"`).
POLICY = "kiosk policy"
SourceKind = Literal["cited", "provisional", "policy"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sourced(_Strict):
    """Anything that holds figures names where they come from."""

    source: str = Field(min_length=1)
    quote: str = ""  # the words of the regulation, found in the profile's `source_text`
    provisional: bool = False
    note: str = ""  # why a figure is provisional, or how a quote is read

    @property
    def kind(self) -> SourceKind:
        """Cited (a quote), provisional (no text says it) or the kiosk's own policy."""
        if self.provisional:
            return "provisional"
        if self.source.startswith(POLICY):
            return "policy"
        return "cited"

    @property
    def confirmed(self) -> bool:
        """False for a provisional figure: no text the project has says it."""
        return not self.provisional

    @model_validator(mode="after")
    def _one_kind(self) -> Sourced:
        if self.provisional:
            if not self.note.strip():
                raise ValueError("a provisional figure needs a note saying where it comes from")
            if self.quote:
                raise ValueError("a provisional figure has no quote (no text says it)")
        elif self.source.startswith(POLICY):
            if self.quote:
                raise ValueError("a kiosk policy quotes no regulation")
        elif not self.quote.strip():
            raise ValueError(
                "a figure needs the quote of its source, or provisional = true with a note,"
                f' or source = "{POLICY}: …"'
            )
        return self


class Figure(Sourced, Generic[T]):
    """One figure of a regulation and its source article."""

    value: T


class Rate(Sourced):
    """`credits` credits for every `per_hours` hours."""

    credits: Decimal = Field(gt=0)
    per_hours: Decimal = Field(gt=0)


class ShortSession(Sourced):
    """An occasion shorter than one block but at least `min_hours` long earns a fixed credit."""

    min_hours: Decimal = Field(gt=0)
    participant: Decimal = Field(ge=0)
    speaker: Decimal = Field(ge=0)


class FormRules(_Strict):
    """How one project form (face-to-face, remote, practice activity) turns hours into credits."""

    participant: Rate
    speaker: Rate
    partial_blocks: Figure[Literal["proportional", "whole"]]
    short_session: ShortSession | None = None
    project_max_credits: Figure[Decimal] | None = None
    yearly_max_credits: Figure[Decimal] | None = None
    # Who the yearly cap does not bind (e.g. primary-care staff), in the regulation's words.
    yearly_cap_exempt: Figure[str] | None = None
    assessment_required: Figure[bool]

    @model_validator(mode="after")
    def _exempt_needs_a_cap(self) -> FormRules:
        if self.yearly_cap_exempt is not None and self.yearly_max_credits is None:
            raise ValueError("yearly_cap_exempt without a yearly_max_credits to be exempt from")
        return self


class Forms(_Strict):
    """Rules per project form; every form the model knows must be present."""

    face_to_face: FormRules
    remote: FormRules
    practice_activity: FormRules

    def get(self, form: ProjectForm) -> FormRules:
        """The rules of one project form."""
        rules: FormRules = getattr(self, form.value)
        return rules


class CreditYear(Sourced):
    """The period credits are counted in and which year it is called."""

    start_month: int = Field(ge=1, le=12)
    start_day: int = Field(ge=1, le=31)
    named_after: Literal["start", "end"]
    # Which project day decides the year when a project straddles the boundary.
    counted_on: Figure[Literal["first_day", "last_day"]]

    @model_validator(mode="after")
    def _real_day(self) -> CreditYear:
        try:
            date(2001, self.start_month, self.start_day)  # a non-leap year: no Feb 29 start
        except ValueError:
            raise ValueError(
                f"credit year start {self.start_month:02d}-{self.start_day:02d} is not a date"
            ) from None
        return self


class Annual(_Strict):
    """What a health professional must earn in one credit year."""

    credits: Figure[Decimal]
    hours: Figure[Decimal] | None = None
    public_credits: Figure[Decimal] | None = None
    professional_credits: Figure[Decimal] | None = None
    public_to_other_hours_ratio: Figure[str] | None = None
    credit_classes: Figure[str] | None = None


class Submission(_Strict):
    """The window after a project's last day to register attendance, assessment and credits."""

    days_after_last_day: Figure[int]
    timezone: Figure[str]
    warn_days: Figure[list[int]]

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: Figure[str]) -> Figure[str]:
        try:
            ZoneInfo(v.value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v.value!r}") from None
        return v

    @field_validator("days_after_last_day")
    @classmethod
    def _non_negative(cls, v: Figure[int]) -> Figure[int]:
        if v.value < 0:
            raise ValueError("days_after_last_day must be 0 or more")
        return v

    @field_validator("warn_days")
    @classmethod
    def _warn_days(cls, v: Figure[list[int]]) -> Figure[list[int]]:
        if any(d < 0 for d in v.value):
            raise ValueError("warn_days must be 0 or more")
        return v


class Announcement(_Strict):
    """How long before the first day the project must be announced on the platform."""

    lead_days: Figure[int]


class MethodRule(Sourced):
    """Attendance methods accepted for projects of `levels` (empty: every other level)."""

    levels: list[ProjectLevel] = []
    value: list[Method]


class Attendance(_Strict):
    """Accepted attendance methods and what a missing check-out does."""

    methods: list[MethodRule] = Field(min_length=1)
    missing_checkout: Figure[Literal["none", "session_end_with_confirmation"]]

    def accepted(self, level: ProjectLevel) -> MethodRule:
        """The rule for a project level: the first naming it, else the first with no levels."""
        for rule in self.methods:
            if level in rule.levels:
                return rule
        for rule in self.methods:
            if not rule.levels:
                return rule
        raise LookupError(f"no attendance method rule covers level {level.value}")

    @model_validator(mode="after")
    def _covers_every_level(self) -> Attendance:
        for level in ProjectLevel:
            try:
                self.accepted(level)
            except LookupError as exc:
                raise ValueError(str(exc)) from None
        return self


class Platform(_Strict):
    """What the provincial platform expects in its import files."""

    time_unit: Figure[Literal["hours", "minutes"]]


class Rounding(Sourced):
    """How attended time and credits are rounded: explicit steps, decimal arithmetic only."""

    hours_step: Decimal = Field(gt=0)
    hours_mode: Literal["down", "half_up"]
    credit_step: Decimal = Field(gt=0)
    credit_mode: Literal["down", "half_up"]


class Profile(_Strict):
    """A province's (or the nation's) credit rules, loaded from TOML by `kiosk.core.rules`."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    document: str
    status: Literal["in force", "draft", "partial"]
    notes: str = ""
    # The regulation's text the quotes come from: a file name under docs/regulations/ (empty when
    # the project has no text, and then every figure is provisional or policy).
    source_text: str = ""
    credit_year: CreditYear
    annual: Annual
    forms: Forms
    submission: Submission
    announcement: Announcement
    attendance: Attendance
    platform: Platform
    rounding: Rounding
    origin: str = ""  # the file it was loaded from (set by the loader)
    _figures: list[tuple[str, Sourced]] | None = PrivateAttr(default=None)
    _paths: dict[int, str] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _quotes_need_a_text(self) -> Profile:
        if not self.source_text:
            cited = [path for path, node in self.figures() if node.kind == "cited"]
            if cited:
                raise ValueError(
                    f"{cited[0]} quotes a text but the profile names no source_text"
                    " (mark it provisional = true with a note)"
                )
        return self

    def figures(self) -> list[tuple[str, Sourced]]:
        """Every sourced node with its dotted path (without the profile's name)."""
        if self._figures is None:
            out: list[tuple[str, Sourced]] = []
            _walk(self, "", out)
            self._figures = out  # the profile is frozen: walked once
        return list(self._figures)

    def path_of(self, node: Sourced) -> str:
        """The dotted path of one of this profile's sourced nodes."""
        if self._paths is None:
            self._paths = {id(n): path for path, n in self.figures()}
        return self._paths[id(node)]

    def provisional_figures(self) -> list[str]:
        """Dotted paths of every figure no text the project has says (provisional = true)."""
        return [f"{self.name}.{path}" for path, node in self.figures() if node.provisional]

    def figure(self, path: str) -> Sourced:
        """The sourced node at a dotted path such as "forms.remote.participant"."""
        node: object = self
        for key in path.split("."):
            node = getattr(node, key)
        if not isinstance(node, Sourced):
            raise LookupError(f"{path} is not a sourced figure")
        return node


def _walk(node: BaseModel, path: str, out: list[tuple[str, Sourced]]) -> None:
    if isinstance(node, Sourced):
        out.append((path, node))
    for key in type(node).model_fields:
        child = getattr(node, key)
        items = list(enumerate(child)) if isinstance(child, list) else [(None, child)]
        for i, item in items:
            if isinstance(item, BaseModel):
                sub = f"{path}.{key}" if path else key
                _walk(item, sub + (f"[{i}]" if i is not None else ""), out)
