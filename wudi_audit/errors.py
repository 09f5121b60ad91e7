"""User-facing errors: a Chinese message first, English after, exit code 2."""

from __future__ import annotations


class UserInputError(Exception):
    """Bad invocation or unusable input. The CLI prints it and exits with code 2."""

    exit_code = 2

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en

    def render(self) -> str:
        return f"错误：{self.zh}\nError: {self.en}"
