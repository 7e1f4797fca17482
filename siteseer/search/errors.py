"""The one error the search layer raises on purpose."""


class QueryError(ValueError):
    """A query (or its parameters) that cannot be searched; ``str()`` says why, for users (HTTP 400)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
