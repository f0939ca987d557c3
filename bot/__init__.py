"""Entry point, settings, dispatcher assembly and middlewares of the forum delegation bot."""
