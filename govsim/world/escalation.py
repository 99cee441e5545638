"""Scenario sections for escalation as people do it: whether a summoned department comes,
how soon a lower tier sees that a problem is not its own, and when a resident petitions.

Sources are the seed texts (../shared/seeds, digest in ../shared/DOMAIN.md); where they
give no number the description says "assumption". Every default keeps the model as it
was before these sections existed (full compliance, attempts in full, petitions only for
hidden problems after a fixed wait).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from govsim.world.fields import Elasticity, PositiveHours, Probability, Spec


class Accountability(Spec):
    """Levers that hold summoned departments to account; each removes a share of lapses.

    Whatever lapses remain after the levers (a late arrival, a deflection) are the base
    lapse probabilities × Π (1 − lever) over the levers (assumption: the levers act
    independently, and a lever removes the same share of late arrivals and of
    deflections).
    """

    sign_in: Probability = Field(
        0.0,
        description="share of lapses removed by attendance records of who answered a "
        "whistle (报到: '街區吹哨、部門報到', Helong seed 001; '双报到', Kongtong seed 004); "
        "assumption: no text gives a number",
    )
    evaluation: Probability = Field(
        0.0,
        description="share of lapses removed by the street evaluating the departments "
        "(街道考核部门: '实施街道逆向考核部门', Wuhou seed 002; Yuyao seed 003: '1名下沉人員"
        "因鄉鎮黨委建議被換崗、1人被免職'); assumption: no text gives a number",
    )
    ranking: Probability = Field(
        0.0,
        description="share of lapses removed by public ranking of departments (红榜/黑榜, "
        "Zhenyuan seed 000; '評星公示' Helong seed 001); assumption: no text gives a number",
    )

    def factor(self) -> float:
        """The share of the base lapses left after every lever (1: no accountability)."""
        return (1.0 - self.sign_in) * (1.0 - self.evaluation) * (1.0 - self.ranking)


class Compliance(Spec):
    """Whether a department the street summons comes within ``whistle.response_h``.

    A summoned department deflects (says the matter is not its own) with probability
    ``deflect_prob`` × the accountability factor, comes late with ``late_prob`` × that
    factor (an exponential delay of mean ``late_h`` on top of the response limit), and
    otherwise comes within the limit. A deflected summons waits until ownership is
    settled, then the department comes: by the arbitration committee when
    ``routing.arbitration.enabled`` (``arbitration.delay_h`` after the type's first
    referral; once a type is settled its departments no longer deflect), else by the
    leaders' coordination after ``coordinate_h``. Nobody works on it meanwhile.
    Defaults: full compliance.
    """

    late_prob: Probability = Field(
        0.0,
        description="share of summons answered late without accountability; Kongtong "
        "(seed 004): '\"街道吹哨、部门报到\"的治理合力作用没有得到充分发挥'; Yuyao (seed 003): "
        "'以前社區找部門幫忙是\"賣面孔\"'; assumption: no text gives a number",
    )
    late_h: PositiveHours = Field(
        24.0, description="mean extra delay of a late arrival (h, exponential); assumption"
    )
    deflect_prob: Probability = Field(
        0.0,
        description="share of summons the department deflects ('not ours') without "
        "accountability; Yuyao (seed 003): '個個都能管、個個又都管不好'; assumption: no "
        "text gives a number",
    )
    coordinate_h: PositiveHours = Field(
        48.0,
        description="without arbitration, time until the leaders settle a deflected "
        "summons and the department comes (h); Yuyao (seed 003): '每次都要求領導出面協調, "
        "這顯然不現實'; assumption: no text gives a number",
    )
    accountability: Accountability = Field(
        default_factory=Accountability, description="levers that reduce lapses"
    )

    @model_validator(mode="after")
    def _at_most_one(self) -> Compliance:
        if self.late_prob + self.deflect_prob > 1.0:
            raise ValueError("late_prob + deflect_prob must be at most 1")
        return self

    def lapses(self) -> tuple[float, float]:
        """(deflection, late) probabilities after accountability."""
        factor = self.accountability.factor()
        return self.deflect_prob * factor, self.late_prob * factor


class Recognition(Spec):
    """How soon a lower tier sees that an incident is beyond it and hands it up.

    A handler at a tier below the incident's capable tier recognises it as out of scope
    after ``h`` with probability ``prob`` (one draw per incident and tier); otherwise it
    attempts it in full (its handling time there) and fails. Default: attempts in full.
    """

    prob: Probability = Field(
        0.0,
        description="share of out-of-scope incidents a lower tier recognises at once; "
        "Yuyao (seed 003) responsibility lists ('職責清單 ... 6大類105項, 事件責任清單17大類"
        "149項') tell tiers what is whose; before them '一般應由村裡先處理, 處理不了再上報' "
        "(attempt in full: 0); assumption: no text gives a number",
    )
    h: PositiveHours = Field(
        0.5,
        description="triage time to recognise an out-of-scope incident (h; at most the "
        "full handling time); assumption",
    )


class Petitions(Spec):
    """When a resident whose problem stays unsolved petitions, and to which tier.

    Patience is ``behaviour.petition_after_h`` × (trust / ``trust.reference``) ^
    ``trust_elasticity`` (assumption: the same form as reporting's trust effect), taken
    from the resident's trust when the problem occurs. Each petition counts at the tier
    it reaches (``to``); with ``to: above`` an unsolved problem petitions again after
    another spell of patience, one tier higher each time, up to the top.
    """

    unresolved: bool = Field(
        False,
        description="false: only hidden problems become petitions; true: reported but "
        "unresolved ones too (Yuyao, seed 003, counts 信訪走訪: letters and visits)",
    )
    trust_elasticity: Elasticity = Field(
        0.0,
        description="patience ∝ (trust / reference)^this; 0: trust does not matter (assumption: "
        "the form of reporting's trust effect)",
    )
    to: Literal["top", "above"] = Field(
        "top",
        description="top: the top tier's desk of the region (the city's petition office); "
        "above: the tier above the one holding the problem (a hidden one: above the grid)",
    )
