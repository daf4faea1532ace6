"""Reading the council's records: YAML with source positions, validated into typed models, styles resolved and checked."""
