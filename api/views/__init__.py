"""The API views, one module per kind of resource."""
