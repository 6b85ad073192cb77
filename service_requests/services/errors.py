"""What the services refuse, in words an agent or a citizen can be shown."""


class TransitionRefused(Exception):
    """The request is not in a state where this action makes sense (already decided, not
    waiting for pieces…). The message is French, for the screen that called the service."""
