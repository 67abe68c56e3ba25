#!/usr/bin/env python3
"""Writes the XLSX seeds of the fuzz corpora (standard library only): a minimal workbook of one
sheet, cells as inline strings or numbers, as a spreadsheet program would save them.

    python3 fuzz/seeds/make_xlsx.py   # from the repository root
"""
import csv
import io
import pathlib
import zipfile
from xml.sax.saxutils import escape

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "fuzz" / "corpus"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"""


def column(i):
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def number(text):
    try:
        float(text)
        return text.strip() != "" and text.strip() == text and "," not in text
    except ValueError:
        return False


def sheet(rows):
    out = []
    for r, row in enumerate(rows, 1):
        cells = []
        for c, value in enumerate(row):
            if value == "":
                continue
            ref = f"{column(c)}{r}"
            if number(value):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<sheetData>{"".join(out)}</sheetData></worksheet>'
    )


def xlsx(rows, method=zipfile.ZIP_DEFLATED):
    """The workbook; `ZIP_STORED` leaves the sheet's XML as is, for the fuzzer to mutate."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as z:
        for name, text in [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            ("xl/worksheets/sheet1.xml", sheet(rows)),
        ]:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = method
            z.writestr(info, text)
    return buffer.getvalue()


def treasury():
    out = CORPUS / "treasury_xlsx"
    out.mkdir(parents=True, exist_ok=True)
    for form in ["5-52", "4-20", "2-19", "2-43", "1-27", "4-09", "0-67"]:
        text = (ROOT / "data" / "treasury" / f"{form}-sample.csv").read_text(encoding="utf-8")
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        (out / f"{form}-sample.xlsx").write_bytes(xlsx(rows))
    rows = list(csv.reader(io.StringIO(
        (ROOT / "data" / "treasury" / "5-52-sample.csv").read_text(encoding="utf-8")), delimiter=";"))
    (out / "5-52-stored.xlsx").write_bytes(xlsx(rows, zipfile.ZIP_STORED))


def staffing():
    out = CORPUS / "staffing_xlsx"
    out.mkdir(parents=True, exist_ok=True)
    header = ["Программа", "Подпрограмма", "Подразделение", "Должность", "Категория", "Разряд",
              "Стаж", "Штатные единицы", "Оклад по договору", "% к окладу", "% к БДО",
              "Фиксированная", "МРП"]
    rows = [
        header,
        ["003", "015", "Администрация", "Директор", "civil_servant", "B1", "12", "1", "", "10",
         "", "", ""],
        ["003", "015", "Учебная часть", "Учитель", "гражданский служащий", "B2-3", "5", "2,5",
         "", "", "25,5", "15000,00", "1,5"],
        ["003", "", "Хозяйственная часть", "Сторож", "внештатный работник", "", "", "0.5",
         "85000", "", "", "", ""],
        ["003", "015", "Аппарат", "Главный специалист", "государственный служащий", "C-O-5", "3",
         "1", "", "", "", "", "2"],
    ]
    (out / "positions.xlsx").write_bytes(xlsx(rows))
    (out / "headings-only.xlsx").write_bytes(xlsx([header]))
    (out / "positions-stored.xlsx").write_bytes(xlsx(rows, zipfile.ZIP_STORED))
    # The rows as text (tab-separated), which the target reads when the input is no ZIP.
    (out / "positions.tsv").write_text("\n".join("\t".join(r) for r in rows[1:]) + "\n", encoding="utf-8")


if __name__ == "__main__":
    treasury()
    staffing()
