"""Progress on the terminal (reading, checking, writing) and nothing else: under cron or a
pipe, stderr is not a terminal and not one character of it is written."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

STEPS = {
    "read": ("读取输入文件", "reading the inputs"),
    "check": ("逐条规则审核", "checking every rule"),
    "write": ("写出工作簿和 JSON", "writing the workbook and JSON"),
    "sample": ("生成示例批次", "generating the sample batch"),
}


@contextmanager
def progress_steps(lang: str = "zh") -> Iterator[Callable[[str], None]]:
    """Yields `step(name)`: call it as each step starts; the previous one is done."""
    console = Console(stderr=True, highlight=False)
    if not console.is_terminal:
        yield lambda name: None
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        current: list[int] = []

        def step(name: str) -> None:
            if current:
                progress.update(current[-1], total=1, completed=1)
            label = STEPS[name][0 if lang == "zh" else 1]
            current.append(progress.add_task(f"wudi-audit: {label}", total=None))

        yield step
