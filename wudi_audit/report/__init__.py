"""Reporting: the report's tables (`tables`), the workbook, the JSON document and the
atomic outputs they are written through."""
