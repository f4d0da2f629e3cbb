"""The rule editor's helpers: request schemas, readable renderings, recorded decisions."""
