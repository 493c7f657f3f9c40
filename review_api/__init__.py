"""review_api package."""
