"""Prints a workbook as openpyxl reads it, as JSON: per sheet its layout and, per
cell, the Python type and str() of the value (None for an empty cell)."""
import json
import sys

import openpyxl

wb = openpyxl.load_workbook(sys.argv[1])
# The read-only mode sizes each sheet from its <dimension> alone.
extents = [ws.calculate_dimension() for ws in openpyxl.load_workbook(sys.argv[1], read_only=True).worksheets]
out = []
for ws in wb.worksheets:
    rows = []
    for row in ws.iter_rows():
        rows.append([None if c.value is None else [type(c.value).__name__, str(c.value), c.data_type] for c in row])
    out.append({
        "name": ws.title,
        "extent": extents[len(out)],
        "freeze": ws.freeze_panes,
        "filter": ws.auto_filter.ref,
        "header_bold": [c.font.b for c in ws[1]],
        "widths": {k: v.width for k, v in ws.column_dimensions.items()},
        "rows": rows,
    })
json.dump(out, sys.stdout)
