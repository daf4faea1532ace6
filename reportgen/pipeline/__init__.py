"""Building: read and check everything, plan what changed, produce each output, write it atomically."""
