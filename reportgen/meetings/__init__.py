"""Meetings: calendars, publication deadlines, publishing, scheduling and agenda packs."""
