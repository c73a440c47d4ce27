"""API of a family's VIG work by topic; routes in `api_urls`."""
