"""submissions API endpoints, mounted under /api/ by papersift.web.api."""

from ninja import Router

router = Router(tags=["submissions"])
