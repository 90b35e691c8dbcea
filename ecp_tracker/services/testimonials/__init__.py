"""Testimonials with recorded consent: the workflow, the library, collection requests, walls, settings."""
