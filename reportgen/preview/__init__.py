"""Live preview while editing: a local web page showing a paper's HTML twin and PDF, rebuilt as its files change."""
