"""One router per resource of the JSON API (and the login/logout endpoints)."""
