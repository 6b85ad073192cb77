"""What the services refuse, in words an agent or a citizen can be shown."""


class TransitionRefused(Exception):
    """The request is not in a state where this action makes sense (already decided, not
    waiting for pieces…). The message is French, for the screen that called the service."""


class StaleRequest(TransitionRefused):
    """The request changed since the agent's screen was drawn (another agent, the citizen, the
    sweep): acting on what they saw could undo what they did not see. `changes` are the
    timeline entries written since, for the screen to show."""

    def __init__(self, message: str, changes: list):
        super().__init__(message)
        self.changes = changes
