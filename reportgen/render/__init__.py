"""From merged views to HTML: the Jinja house styles, Markdown, and the self-contained HTML twin."""
