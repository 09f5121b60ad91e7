"""Every rule, registered by importing its family module. The registry is the single
source for the engine, `wudi-audit rules`, `explain` and the rules sheet."""

from wudi_audit.checks import (  # noqa: F401  (registration)
    attendance,
    attendance_sharing,
    budget,
    catalogue,
    certificates,
    contacts,
    data_quality,
    near_duplicates,
    person,
    procurement,
    providers,
    repeats,
    returns,
    sites,
    standards,
    subsidy,
    training,
)
from wudi_audit.checks.base import REGISTRY, AuditInputs, Rule, Severity

__all__ = ["REGISTRY", "AuditInputs", "Rule", "Severity"]
