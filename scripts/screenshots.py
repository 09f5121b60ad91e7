"""Render a workbook the way an officer prints it, with LibreOffice (CJK fonts: Debian's
fonts-noto-cjk), to PDF and one PNG per sheet's first page (pdftoppm, poppler-utils).

    python scripts/screenshots.py WORKBOOK.xlsx OUTDIR

Writes OUTDIR/<workbook>.pdf and OUTDIR/summary.png, claims.png, exceptions.png; prints
which PDF pages each sheet printed on. Used by `make screenshots` (README images) and by
the LibreOffice test."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# text only that sheet prints, in its header row (Chinese workbook)
SHEET_MARKERS = {
    "summary": "审核汇总",
    "claims": "主要原因",
    "exceptions": "证据",
    "rules": "未运行原因",
    "run": "运行信息",
}


def office() -> str:
    found = shutil.which("libreoffice") or shutil.which("soffice")
    if found is None:
        raise SystemExit("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    return found


def to_pdf(workbook: Path, outdir: Path) -> Path:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                office(),
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                str(workbook),
            ],
            check=True,
            capture_output=True,
            timeout=240,
        )
    return outdir / f"{workbook.stem}.pdf"


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    return int(
        next(line.split()[-1] for line in info.stdout.splitlines() if line.startswith("Pages:"))
    )


def page_size(pdf: Path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    line = next(line for line in info.stdout.splitlines() if line.startswith("Page size:"))
    width, _, height = line.split(":", 1)[1].split()[:3]
    return float(width), float(height)


def page_text(pdf: Path, page: int) -> str:
    return subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def sheet_pages(pdf: Path) -> dict[str, list[int]]:
    """Which pages each sheet printed on: a sheet starts on the first page after the
    previous sheet's start that shows its marker, and runs until the next one starts."""
    texts = [page_text(pdf, p) for p in range(1, page_count(pdf) + 1)]
    starts: dict[str, int] = {}
    after = 0
    for sheet, marker in SHEET_MARKERS.items():  # in the workbook's order
        first = next((n for n in range(after + 1, len(texts) + 1) if marker in texts[n - 1]), 0)
        if first:
            starts[sheet] = after = first
    ordered = sorted(starts.items(), key=lambda item: item[1])
    pages = {}
    for i, (sheet, first) in enumerate(ordered):
        last = ordered[i + 1][1] - 1 if i + 1 < len(ordered) else len(texts)
        pages[sheet] = list(range(first, last + 1))
    return pages


def to_png(pdf: Path, page: int, target: Path, dpi: int = 110) -> None:
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            "-png",
            "-singlefile",
            str(pdf),
            str(target.with_suffix("")),
        ],
        check=True,
    )


def main() -> None:
    workbook, outdir = Path(sys.argv[1]), Path(sys.argv[2])
    outdir.mkdir(parents=True, exist_ok=True)
    pdf = to_pdf(workbook, outdir)
    pages = sheet_pages(pdf)
    for sheet in ("summary", "claims", "exceptions"):
        to_png(pdf, pages[sheet][0], outdir / f"{sheet}.png")
    for sheet, numbers in pages.items():
        print(f"{sheet}: pages {numbers[0]}–{numbers[-1]} of {page_count(pdf)}")


if __name__ == "__main__":
    main()
