"""Admin of newsletter issues, subscribers and deliveries."""
