"""docs/images/decisions.png: the officer's columns of 申领审核 in the demo's reviewed
workbook, as LibreOffice prints them (the other columns and rows hidden).

    python scripts/decisions_picture.py REVIEWED.xlsx OUT.png
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl

src, out = Path(sys.argv[1]), Path(sys.argv[2])
book = openpyxl.load_workbook(src)
for name in book.sheetnames:
    if name != "申领审核":
        del book[name]
sheet = book["申领审核"]
header = [c.value for c in sheet[1]]
keep = {"来源行", "姓名", "审核结论", "违反规则", "复核结论", "复核说明", "复核人"}
for i, h in enumerate(header, start=1):
    if h not in keep:
        sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].hidden = True
# rows 68–101 of the sheet: the claims under review and some returns
for r in range(2, sheet.max_row + 1):
    if not 68 <= r <= 101:
        sheet.row_dimensions[r].hidden = True
sheet.print_area = None
tmp = Path(tempfile.mkdtemp())
book.save(tmp / "decisions.xlsx")
subprocess.run(
    [
        shutil.which("soffice") or "libreoffice",
        f"-env:UserInstallation=file://{tmp}/p",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(tmp),
        str(tmp / "decisions.xlsx"),
    ],
    check=True,
    capture_output=True,
    timeout=240,
)
subprocess.run(
    [
        "pdftoppm",
        "-png",
        "-r",
        "110",
        "-f",
        "1",
        "-l",
        "1",
        str(tmp / "decisions.pdf"),
        str(tmp / "page"),
    ],
    check=True,
)
page = next(tmp.glob("page*.png"))
shutil.copy(page, out)
print(out)
