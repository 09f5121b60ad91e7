"""The rule pack (SPEC §5): every policy parameter, read from TOML, never held in code."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from wudi_audit.errors import UserInputError

# parameter → (type, minimum, maximum)
PARAMETERS: dict[str, tuple[type, float, float]] = {
    "min_total_hours": (float, 0, 10_000),
    "max_online_share": (float, 0, 1),
    "online_rate_max": (float, 0, 10_000),
    "offline_rate_max": (float, 0, 10_000),
    "max_trainings_per_year": (int, 0, 366),
    "repeat_occupation_window_days": (int, 0, 36_600),
    "repeat_project_window_days": (int, 0, 36_600),
    "minutes_per_class_hour": (float, 1, 1440),
    "attendance_tolerance_hours": (float, 0, 10_000),
    "max_online_hours_per_day": (float, 0, 24 * 60),
    "device_window_minutes": (int, 1, 24 * 60),
    "device_max_trainees": (int, 1, 100_000),
    "strikes": (int, 1, 100),
    "phone_min_trainees": (int, 2, 100_000),
    "min_working_age": (int, 0, 100),
    "women_retirement_track": (int, 50, 55),
}
DISTRICT_PARAMETERS = ("online_rate_max", "offline_rate_max")


@dataclass(frozen=True)
class RulePack:
    name: str
    path: str
    sha256: str
    params: dict[str, Any]
    limits: dict[str, float] = field(default_factory=dict)
    districts: dict[str, dict[str, float]] = field(default_factory=dict)
    effective_from: dt.date | None = None  # empty: since always
    effective_to: dt.date | None = None  # empty: still in force; both ends inclusive

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    @property
    def period(self) -> str:
        start = self.effective_from.isoformat() if self.effective_from else "…"
        end = self.effective_to.isoformat() if self.effective_to else "…"
        return f"{start} – {end}"

    def describe(self) -> dict[str, Any]:
        """The pack as the manifest lists it."""
        return {
            "name": self.name,
            "path": self.path,
            "sha256": self.sha256,
            "effective_from": self.effective_from.isoformat() if self.effective_from else "",
            "effective_to": self.effective_to.isoformat() if self.effective_to else "",
        }


def default_pack_path() -> Path:
    return Path(str(resources.files("wudi_audit") / "rules" / "default.toml"))


def load_rule_pack(path: Path | None = None) -> RulePack:
    path = path or default_pack_path()
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise UserInputError(
            f"无法读取规则包：{path}（{exc.strerror}）", f"cannot read rule pack {path}: {exc}"
        ) from exc
    try:
        data = tomllib.loads(content.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserInputError(
            f"规则包格式错误：{path}：{exc}", f"malformed rule pack {path}: {exc}"
        ) from exc
    params_in = data.get("params")
    if not isinstance(params_in, dict):
        raise UserInputError(
            f"规则包缺少 [params] 节：{path}", f"rule pack has no [params] table: {path}"
        )
    params = {k: _checked(path, k, params_in.get(k), *PARAMETERS[k]) for k in PARAMETERS}
    unknown = sorted(set(params_in) - set(PARAMETERS))
    if unknown:
        raise UserInputError(
            f"规则包含未知参数：{'、'.join(unknown)}（{path}）",
            f"unknown parameters in rule pack {path}: {', '.join(unknown)}",
        )
    districts = {}
    for district, overrides in (data.get("districts") or {}).items():
        if not isinstance(overrides, dict) or set(overrides) - set(DISTRICT_PARAMETERS):
            raise UserInputError(
                f"规则包板块“{district}”的参数无效，只能覆盖："
                f"{'、'.join(DISTRICT_PARAMETERS)}（{path}）",
                f"district {district!r} in {path} may override only "
                f"{', '.join(DISTRICT_PARAMETERS)}",
            )
        districts[district] = {
            k: _checked(path, f"districts.{district}.{k}", v, *PARAMETERS[k])
            for k, v in overrides.items()
        }
    limits = {k: float(v) for k, v in (data.get("limits") or {}).items()}
    effective_from = _date(path, "effective_from", data.get("effective_from"))
    effective_to = _date(path, "effective_to", data.get("effective_to"))
    if effective_from and effective_to and effective_to < effective_from:
        raise UserInputError(
            f"规则包的失效日期 {effective_to} 早于生效日期 {effective_from}（{path}）",
            f"rule pack {path}: effective_to {effective_to} is before effective_from "
            f"{effective_from}",
        )
    return RulePack(
        name=str(data.get("name") or path.stem),
        path=str(path),
        sha256=hashlib.sha256(content).hexdigest(),
        params=params,
        limits=limits,
        districts=districts,
        effective_from=effective_from,
        effective_to=effective_to,
    )


def load_rule_packs(paths: Sequence[Path] | None = None) -> list[RulePack]:
    """The packs of a run (SPEC §5): the default pack when none is given. With several,
    their effective periods must not overlap (a claim must have exactly one pack in force
    on its start date); they are returned ordered by effective_from."""
    packs = [load_rule_pack(p) for p in paths] if paths else [load_rule_pack()]
    if len(packs) == 1:
        return packs
    packs.sort(key=lambda p: p.effective_from or dt.date.min)
    for earlier, later in itertools.pairwise(packs):
        later_from = later.effective_from or dt.date.min
        if earlier.effective_to is None or earlier.effective_to >= later_from:
            raise UserInputError(
                f"规则包的有效期重叠：{earlier.path}（{earlier.period}）与 {later.path}"
                f"（{later.period}）；每个开班日期只能有一个规则包有效",
                f"rule packs overlap: {earlier.path} ({earlier.period}) and {later.path} "
                f"({later.period}); one pack must be in force on any start date",
            )
    return packs


def _date(path: Path, key: str, value: Any) -> dt.date | None:
    """A TOML date or `YYYY-MM-DD` text; empty or absent is None."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise UserInputError(
            f"规则包的 {key} 不是日期（应为 YYYY-MM-DD）：{value!r}（{path}）",
            f"rule pack {path}: {key} is not a date (YYYY-MM-DD): {value!r}",
        ) from exc


def _checked(path: Path, key: str, value: Any, kind: type, low: float, high: float) -> Any:
    if value is None:
        raise UserInputError(
            f"规则包缺少参数 {key}（{path}）", f"rule pack {path} is missing parameter {key}"
        )
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if not numeric or (kind is int and not isinstance(value, int)) or not low <= value <= high:
        raise UserInputError(
            f"规则包参数 {key} 的值无效：{value!r}（应为 {low}–{high} 之间的"
            f"{'整数' if kind is int else '数值'}；{path}）",
            f"rule pack {path}: invalid value for {key}: {value!r} "
            f"(expected {'an integer' if kind is int else 'a number'} in {low}..{high})",
        )
    return value
