"""reportgen: council committee papers from YAML records, Jinja house styles and WeasyPrint."""

__version__ = "0.1.0"
