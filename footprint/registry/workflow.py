"""The certification process as a state machine: states, moves and the rules that guard them.

Pure: no database, no clock. The registry (:mod:`footprint.registry`) gathers the facts of an
application or a certificate, asks :func:`check` whether a move is allowed, and records it.
A move that breaks a rule raises :class:`TransitionError` naming the rule (``rule`` and its
text in :data:`RULES`).

What differs between schemes is read from the scheme file (:class:`Process.from_scheme`),
never written here per scheme: the validity (``validity.years`` and ``validity.last_day``),
the surveillance interval (``validity.surveillance_months``, else the surveillance text when
it says "annual", else none stated: the certification body gives one at issue), the
re-verification rule (``decision.reverification_increase``) and, when a scheme states them,
the steps of its process (``certification.steps``). The default steps are those of the CNCA
general rules for product carbon-footprint label certification (CNCA-CFP-00:2025 [1]):
application, acceptance, audit planning, document review, on-site inspection, CFP
verification, evaluation and decision; then the certificate and post-certification
surveillance.

References
----------
1. CNCA, General implementation rules for product carbon footprint label certification
   (trial), CNCA-CFP-00:2025, 2025-03-17, as reported by China Textile News, 2025-03-25
   (docs/research/label-rules.md, C1 to C3; the rule text itself was not read).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import asdict, dataclass, field

from footprint.errors import FootprintError, InputError
from footprint.fileio import add_years
from footprint.i18n import names, words

# -- vocabulary (the CLI's choices come from here) --------------------------------------------

#: Every step a scheme's process may have, in the only order they may run, and the state
#: an application is in once the step is done. ``decide`` ends in ``granted`` or ``refused``.
STEPS = {
    "apply": "applied",
    "accept": "accepted",
    "plan": "planned",
    "document_review": "reviewed",
    "on_site": "inspected",
    "verify_cfp": "verified",
    "evaluate": "evaluated",
    "decide": "granted",
    "issue": "certified",
}
#: Steps every process has: without them there is nothing to certify, no one decides, no check of the number.
REQUIRED_STEPS = ("apply", "accept", "verify_cfp", "evaluate", "decide", "issue")
#: CNCA-CFP-00:2025's procedure [1]: application, acceptance, certification planning, document
#: review, on-site inspection, CFP verification, evaluation and approval of the result.
DEFAULT_STEPS = tuple(STEPS)
#: States of an application; ``rejected`` (not accepted) and ``refused`` (negative decision) end it.
APPLICATION_STATES = ("applied", "accepted", "rejected", "planned", "reviewed", "inspected", "verified", "evaluated",
                      "granted", "refused", "certified")
#: States of a certificate. ``renewed``: replaced by the certificate of its renewal.
CERTIFICATE_STATES = ("valid", "suspended", "withdrawn", "expired", "renewed")
#: Kinds of audit record; ``surveillance`` is an audit of a certified product.
AUDIT_KINDS = ("document_review", "on_site", "surveillance")
SEVERITIES = ("major", "minor")
OUTCOMES = ("grant", "refuse")
SURVEILLANCE_OUTCOMES = ("conforming", "nonconforming")
VALIDITY_LAST_DAYS = ("anniversary", "day_before")

#: The rules, by id: what a refused move says (in English; both languages in names.yaml, registry_rule).
RULES = {rule: entry["en"] for rule, entry in names("registry_rule").items()}

#: Application states in which audits, verification and evaluation run (findings may be raised).
_AUDITING = ("planned", "reviewed", "inspected", "verified", "evaluated")


class TransitionError(FootprintError, ValueError):
    """A move the certification rules do not allow; ``rule`` is its id in :data:`RULES`, ``words`` its text in en and zh."""

    def __init__(self, rule, subject, detail=""):
        self.rule = rule
        self.subject = subject
        self.words = dict(words("registry_rule", rule))
        text = RULES[rule]
        super().__init__(f"{subject}: refused by rule '{rule}': {text}" + (f" ({detail})" if detail else ""))


# -- a scheme's process ---------------------------------------------------------------------


@dataclass(frozen=True)
class Process:
    """What a scheme file says about certifying under it; recorded with each application.

    Attributes
    ----------
    scheme : str
    steps : tuple of str
        Steps of :data:`STEPS`, in order.
    validity_years : int or None [years]
    last_day : str
        ``anniversary`` (valid through the same date ``validity_years`` later) or ``day_before``.
    surveillance_months : int or None [months]
    surveillance_basis : str
        Where the interval comes from: the scheme's ``surveillance_months``, its text, or "not stated".
    reverification_increase : float or None [fraction]
        A rise of the declared value by this much or more asks for re-evaluation; None: any
        rise that changes the value as labelled, or crosses a threshold, does.
    thresholds : tuple of float
        The scheme's grade or threshold limits [the scheme's unit], crossing one asks for re-evaluation.
    """

    scheme: str
    steps: tuple = DEFAULT_STEPS
    validity_years: int | None = None
    last_day: str = "anniversary"
    surveillance_months: int | None = None
    surveillance_basis: str = "not stated"
    reverification_increase: float | None = None
    thresholds: tuple = ()
    rounding_step: float = 1.0
    name: dict = field(default_factory=dict)  # the scheme's {en, zh} name and basis standard, for the certificate
    basis_standard: dict = field(default_factory=dict)

    @classmethod
    def from_scheme(cls, scheme, raw: dict | None = None) -> Process:
        """The process of a :class:`footprint.labels.Scheme` (``raw``: the file's YAML, for ``certification:``).

        Raises
        ------
        InputError
            ``certification.steps`` names an unknown step, leaves out a required one, or is out of order.
        """
        validity = dict(scheme.validity or {})
        months, basis = _surveillance_interval(validity)
        steps = DEFAULT_STEPS
        certification = (raw or {}).get("certification") or {}
        if certification.get("steps"):
            steps = tuple(str(step) for step in certification["steps"])
            where = f"{scheme.path or scheme.id}: certification.steps"
            unknown = [step for step in steps if step not in STEPS]
            if unknown:
                raise InputError(f"{where}: unknown step(s) {unknown}; expected some of {', '.join(STEPS)}")
            missing = [step for step in REQUIRED_STEPS if step not in steps]
            if missing:
                raise InputError(f"{where}: missing {missing}; every process has {', '.join(REQUIRED_STEPS)}")
            if list(steps) != [step for step in STEPS if step in steps]:
                raise InputError(f"{where}: out of order; expected the order {', '.join(STEPS)}")
        levels = scheme.decision.get("grades") or scheme.decision.get("thresholds") or []
        return cls(scheme=scheme.id, steps=steps, validity_years=validity.get("years"),
                   last_day=str(validity.get("last_day") or "anniversary"), surveillance_months=months,
                   surveillance_basis=basis, reverification_increase=scheme.decision.get("reverification_increase"),
                   thresholds=tuple(float(level["max"]) for level in levels),
                   rounding_step=float((scheme.rounding or {}).get("step") or 1.0), name=dict(scheme.name),
                   basis_standard={"en": scheme.basis("en"), "zh": scheme.basis("zh")})

    @classmethod
    def from_dict(cls, data: dict) -> Process:
        """A process as recorded (:meth:`to_dict`)."""
        data = dict(data)
        data["steps"] = tuple(data.get("steps") or DEFAULT_STEPS)
        data["thresholds"] = tuple(data.get("thresholds") or ())
        return cls(**{key: value for key, value in data.items() if key in cls.__dataclass_fields__})

    def to_dict(self) -> dict:
        return {**asdict(self), "steps": list(self.steps), "thresholds": list(self.thresholds)}

    def expiry(self, issued: _dt.date) -> _dt.date | None:
        """The last valid day of a certificate issued on ``issued`` (None: the scheme sets no validity)."""
        if not self.validity_years:
            return None
        end = add_years(issued, self.validity_years)
        return end - _dt.timedelta(days=1) if self.last_day == "day_before" else end

    def surveillance_schedule(self, issued: _dt.date, expires: _dt.date | None, months: int | None = None) -> list:
        """The surveillance dates within the validity, every ``months`` (default the scheme's) after issue."""
        months = months or self.surveillance_months
        if not months or expires is None:
            return []
        dates = []
        step = 1
        while True:
            due = add_months(issued, months * step)
            if due >= expires:  # the last period ends in expiry or renewal, not in a surveillance
                return dates
            dates.append(due)
            step += 1

    def state_before(self, step: str) -> str:
        """The state an application must be in for ``step``: the state of the previous step of this process."""
        index = self.steps.index(step)
        return STEPS[self.steps[index - 1]] if index else ""

    def needs_reevaluation(self, before: float, after: float) -> tuple[bool, str]:
        """Whether a declared value going from ``before`` to ``after`` [the scheme's unit] asks for re-evaluation, and why."""
        rise = (after - before) / before if before else float("inf")
        crossed = [limit for limit in self.thresholds if before <= limit < after]
        if crossed:
            return True, f"crosses the scheme's limit {crossed[0]:g}"
        if self.reverification_increase is not None:
            if rise >= self.reverification_increase:
                return True, f"rises {rise:.1%}, at or above the scheme's {self.reverification_increase:.0%}"
            return False, f"rises {rise:.1%}, below the scheme's {self.reverification_increase:.0%}"
        step = self.rounding_step
        if round(after / step) > round(before / step):
            return True, f"rises {rise:.1%}: the value as labelled changes and the scheme sets no tolerance"
        return False, f"changes by {rise:.1%}: the value as labelled stays the same"


def _surveillance_interval(validity):
    """(months, where it comes from) of a scheme's validity block."""
    months = validity.get("surveillance_months")
    if isinstance(months, int) and not isinstance(months, bool) and months > 0:
        return months, "the scheme file (validity.surveillance_months)"
    text = validity.get("surveillance") or ""
    english = str(text.get("en", "") if isinstance(text, dict) else text).lower()
    if re.search(r"\b(annual|annually|yearly|every year|each year)\b", english):
        return 12, f"the scheme's surveillance text ({english!r})"
    return None, "not stated by the scheme: the certification body sets the interval at issue"


def add_months(day: _dt.date, months: int) -> _dt.date:
    """``day`` moved by whole months; the 31st becomes the month's last day when the month is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return _dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise InputError(f"{day} + {months} months: outside the calendar")


# -- the guards -------------------------------------------------------------------------------


@dataclass
class Facts:
    """What the registry knows of an application or a certificate when a move is asked.

    Only the fields a move's rules read need to be set.
    """

    subject: str
    today: _dt.date
    on: _dt.date | None = None  # the date of the record being made
    state: str = ""  # the application's state
    last_date: _dt.date | None = None  # the date of the step this one follows
    person: str = ""  # who acts (decides, audits)
    auditors: set = field(default_factory=set)  # everyone who planned-audited, audited or verified
    open_major: list = field(default_factory=list)  # numbers of open major findings
    decision: str | None = None  # grant | refuse
    recommendation: str | None = None  # the evaluation's: grant | refuse
    dossier_outcome: str | None = None  # the scheme's decision in the dossier's label JSON: pass | fail | incomplete | expired
    unmet: list = field(default_factory=list)  # the dossier's unmet requirements, by item
    verification: str | None = None  # the last CFP verification's verdict
    certificate_status: str | None = None
    expires_on: _dt.date | None = None
    reevaluation_due: bool = False
    reason: str = ""


def check(move: str, facts: Facts, process: Process) -> str:
    """Raise :class:`TransitionError` unless ``move`` is allowed; return the state after it.

    Application moves are the steps of :data:`STEPS` (and ``reject``, ``finding``,
    ``close_finding``); certificate moves are ``surveil``, ``change``, ``label``, ``suspend``,
    ``reinstate``, ``withdraw``, ``renew`` and ``expire``.
    """
    subject = facts.subject
    if facts.on is not None:
        if facts.on > facts.today:
            raise TransitionError("no-future-date", subject, f"{facts.on.isoformat()} is after today, {facts.today.isoformat()}")
        if facts.last_date is not None and facts.on < facts.last_date:
            raise TransitionError("date-order", subject, f"{facts.on.isoformat()} is before {facts.last_date.isoformat()}")
    guard = _CERTIFICATE_GUARDS.get(move)
    if guard is not None:
        return guard(facts, process)
    if move == "reject":
        if facts.state != "applied":
            raise TransitionError("acceptance", subject, f"the application is {facts.state}")
        return "rejected"
    if move == "finding":
        if facts.state not in _AUDITING:
            raise TransitionError("finding-stage", subject, f"the application is {facts.state}")
        return facts.state
    if move not in STEPS:
        raise ValueError(f"unknown move {move!r}")
    if move == "apply":
        return STEPS["apply"]
    if move not in process.steps:
        raise TransitionError("scheme-step", subject, f"scheme {process.scheme}")
    if move == "accept" and facts.state != "applied":
        raise TransitionError("acceptance", subject, f"the application is {facts.state}")
    if move == "issue":
        if facts.state != "granted" or facts.decision != "grant":
            detail = f"the decision is {facts.decision}" if facts.decision else f"no decision yet: the application is {facts.state}"
            raise TransitionError("positive-decision", subject, detail)
        return STEPS["issue"]
    allowed = {process.state_before(move)}
    if move in ("document_review", "on_site"):
        allowed.add(STEPS[move])  # several reviews, several sites
    if facts.state not in allowed:
        expected = " or ".join(sorted(allowed))
        raise TransitionError("step-order", subject, f"{move.replace('_', ' ')} needs the application {expected}; it is "
                              f"{facts.state}; steps: {' -> '.join(process.steps)}")
    if move == "evaluate" and facts.verification != "identical":
        raise TransitionError("verification-passed", subject, f"the last CFP verification: {facts.verification or 'none'}")
    if move == "evaluate" and facts.recommendation == "grant":
        _requirements_met(facts, process)
    if move == "decide":
        if facts.open_major:
            raise TransitionError("open-major-finding", subject, f"open: {', '.join(facts.open_major)}")
        if facts.person in facts.auditors:
            raise TransitionError("impartiality", subject, f"{facts.person} audited or verified it")
        if facts.decision == "grant":
            _requirements_met(facts, process)
        return "granted" if facts.decision == "grant" else "refused"
    return STEPS[move]


def _requirements_met(facts, process):
    if facts.dossier_outcome != "pass":
        unmet = f"; unmet: {', '.join(facts.unmet)}" if facts.unmet else ""
        raise TransitionError("requirements-met", facts.subject,
                              f"the dossier's {process.scheme} outcome is {facts.dossier_outcome or 'unknown'}{unmet}")


def _active(facts):
    return facts.certificate_status in ("valid", "suspended")


def _expired(facts):
    return facts.expires_on is not None and facts.today > facts.expires_on


def _surveil(facts, process):
    if not _active(facts) or _expired(facts):
        raise TransitionError("surveillance-active", facts.subject, f"the certificate is {_status(facts)}")
    return facts.certificate_status


def _change(facts, process):
    if not _active(facts) or _expired(facts):
        raise TransitionError("change-active", facts.subject, f"the certificate is {_status(facts)}")
    return facts.certificate_status


def _label(facts, process):
    if facts.certificate_status != "valid" or _expired(facts) or facts.reevaluation_due:
        detail = "a re-evaluation is due" if facts.reevaluation_due and facts.certificate_status == "valid" and not _expired(facts) \
            else f"the certificate is {_status(facts)}"
        raise TransitionError("label-valid", facts.subject, detail)
    return "valid"


def _suspend(facts, process):
    _needs_reason(facts)
    if facts.certificate_status != "valid" or _expired(facts):
        raise TransitionError("suspend-valid", facts.subject, f"the certificate is {_status(facts)}")
    return "suspended"


def _reinstate(facts, process):
    _needs_reason(facts)
    if facts.certificate_status != "suspended" or _expired(facts):
        raise TransitionError("reinstate-suspended", facts.subject, f"the certificate is {_status(facts)}")
    if facts.open_major:
        raise TransitionError("reinstate-suspended", facts.subject, f"open major findings: {', '.join(facts.open_major)}")
    return "valid"


def _withdraw(facts, process):
    _needs_reason(facts)
    if not _active(facts):
        raise TransitionError("withdraw-active", facts.subject, f"the certificate is {_status(facts)}")
    return "withdrawn"


def _renew(facts, process):
    _needs_reason(facts)
    if not _active(facts):
        raise TransitionError("renew-active", facts.subject, f"the certificate is {_status(facts)}")
    return facts.certificate_status


def _expire(facts, process):
    return "expired"


def _needs_reason(facts):
    if not str(facts.reason or "").strip():
        raise TransitionError("reason-required", facts.subject, "give --reason")


def _status(facts):
    if facts.certificate_status in ("valid", "suspended") and _expired(facts):
        return f"expired (last valid day {facts.expires_on.isoformat()})"
    return facts.certificate_status or "unknown"


_CERTIFICATE_GUARDS = {"surveil": _surveil, "change": _change, "label": _label, "suspend": _suspend, "reinstate": _reinstate,
                       "withdraw": _withdraw, "renew": _renew, "expire": _expire}


def effective_status(status: str, expires_on: _dt.date | None, today: _dt.date) -> str:
    """A certificate's status on ``today``: ``expired`` once its last valid day has passed (valid or suspended before)."""
    if status in ("valid", "suspended") and expires_on is not None and today > expires_on:
        return "expired"
    return status
