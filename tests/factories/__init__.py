"""Records the tests of several areas build their cases from, one module per area."""
