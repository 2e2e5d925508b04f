"""Administration of the organisation data, the working calendar and the catalogue."""

from procedures.admin import catalogue, organisation

__all__ = ["catalogue", "organisation"]
