"""What an EU AI Act classification concludes (README "Regulation"): the input of the
obligations, pure data."""

from dataclasses import dataclass, field

PROHIBITED, HIGH_RISK, TRANSPARENCY, MINIMAL = "prohibited", "high_risk", "transparency", "minimal"
PROVIDER, DEPLOYER, BOTH = "provider", "deployer", "both"
ANNEX_I, ANNEX_III = "annex_i", "annex_iii"


@dataclass(frozen=True)
class Outcome:
    category: str  # PROHIBITED | HIGH_RISK | TRANSPARENCY | MINIMAL
    role: str  # PROVIDER | DEPLOYER | BOTH
    high_risk_basis: str | None = None  # ANNEX_I | ANNEX_III when category is HIGH_RISK
    annex_point: str = ""  # e.g. "4(a)" for Annex III, "" otherwise
    transparency: tuple[str, ...] = ()  # Art. 50 paragraphs that apply: "50(1)", "50(2)", ...
    gpai_provider: bool = False  # provides a general-purpose AI model (Art. 53 duties)
    fundamental_rights_assessment: bool = False  # Art. 27 applies (deployer that is a public
    # body or provides public services, or Annex III 5(b)/5(c))
    reasons: tuple[tuple[str, str], ...] = field(default=())  # (article, sentence) that led here
