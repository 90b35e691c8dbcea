"""The evidence engine's use cases: each outcome's population, the counts it reads, runs and their cache."""
