"""The demo workspace (Northwind Analytics): seeding for `flask demo`, not a use case of the product."""
