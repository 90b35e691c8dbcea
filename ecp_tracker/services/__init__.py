"""Use cases. Functions take a SQLAlchemy Session, apply the rules, flush, and never commit."""
