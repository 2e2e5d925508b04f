class DossierError(Exception):
    """A dossier action that cannot be done; the message says why, for the user."""


class InvalidTransitionError(DossierError):
    def __init__(self, dossier: object, action: str) -> None:
        self.action = action
        self.status = getattr(dossier, "status", "")
        super().__init__(f"cannot {action.replace('_', ' ')} a dossier in state {self.status}")


class DossierConflictError(DossierError):
    """Someone else changed the dossier since the actor looked at it."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(
            f"the dossier was changed by someone else (version {actual}, not {expected}); "
            "reload it and try again"
        )
