"""The monthly cycle with the spreadsheet officers already use: tracker export and import, and `diff`."""
