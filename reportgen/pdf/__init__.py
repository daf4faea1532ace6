"""PDF work: WeasyPrint rendering, structure-tree repair, the machine-check gate."""
