"""expand package."""
