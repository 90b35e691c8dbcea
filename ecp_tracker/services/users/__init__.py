"""Users, sign-in, roles and personal API tokens."""
