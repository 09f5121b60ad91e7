"""Every rule, registered by importing its family module. The registry is the single
source for the engine, `wudi-audit rules`, `explain` and the rules sheet."""

from wudi_audit.checks import (  # noqa: F401  (registration)
    attendance,
    data_quality,
    person,
    providers,
    subsidy,
    training,
)
from wudi_audit.checks.base import REGISTRY, AuditInputs, Rule, Severity

__all__ = ["REGISTRY", "AuditInputs", "Rule", "Severity"]
