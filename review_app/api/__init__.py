"""The JSON API (/api/v1/): personal tokens, the same permissions as the pages, OpenAPI."""
