"""Domain errors: a Chinese message for people and a code for logs and tests."""


class DomainError(Exception):
    """A refused action. ``message`` is shown to the user as is (Simplified Chinese)."""

    status = 409

    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


class PermissionDenied(DomainError):
    """The user's role or scope does not allow the action (HTTP 403)."""

    status = 403

    def __init__(self, message: str = "您没有执行此操作的权限。", code: str = "forbidden"):
        super().__init__(message, code)


class NotFound(DomainError):
    status = 404

    def __init__(self, message: str = "未找到该对象。", code: str = "not_found"):
        super().__init__(message, code)


class InvalidInput(DomainError):
    status = 400

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message, code)
