"""Console views, one module per domain noun."""
