"""Domain layer: enums, value objects, rules and errors. Standard library only."""
