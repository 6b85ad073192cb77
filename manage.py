#!/usr/bin/env python
"""Django's command-line utility.

With no DATABASE_URL / REDIS_URL in the environment, the command runs against embedded
PostgreSQL and Valkey servers kept under .local/ (see gru/embedded.py), stopped when it ends.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gru.settings")
    from gru.embedded import embedded_services

    with embedded_services():
        from django.core.management import execute_from_command_line

        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
