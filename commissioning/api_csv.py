"""CSV (and XLSX) output of API lists: kept as the name viewsets import `CSVListMixin` and
`CSVRenderer` by. The renderers, columns and download names live in
commissioning/api_spreadsheets.py, which every list uses without opting in.
"""

from commissioning.api_spreadsheets import (
    SPREADSHEET_FORMATS,
    XLSX_MEDIA_TYPE,
    CSVListMixin,
    CSVRenderer,
    XLSXRenderer,
    spreadsheet_format,
)

__all__ = [
    "SPREADSHEET_FORMATS",
    "XLSX_MEDIA_TYPE",
    "CSVListMixin",
    "CSVRenderer",
    "XLSXRenderer",
    "spreadsheet_format",
]
