"""Errors that are the user's to fix: the CLI prints them without a traceback."""


class GovsimError(Exception):
    """Base class for errors caused by user input (files, options, parameter paths)."""


class ScenarioError(GovsimError):
    """A scenario file (or an override of it) is unreadable or invalid.

    The message names the file, the field path and what is allowed.
    """


class LogError(GovsimError):
    """A platform's incident log or its column-mapping file is unreadable or invalid.

    The message names the file, the field path or column and what is allowed.
    """
