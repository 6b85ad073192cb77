"""`make run`: migrate, load the demo data, then run web + Celery worker + Celery beat together.

Ctrl-C or SIGTERM stops all three; manage.py then stops the embedded servers it started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gru.embedded import local_dir


class Command(BaseCommand):
    help = "Lance le portail en développement : web, worker Celery et beat Celery."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-demo", action="store_true", help="Ne pas charger la démo.")

    def handle(self, *args, port: int, no_demo: bool, **options):
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        celery = [sys.executable, "-m", "celery", "-A", "gru"]
        self._run([*manage, "migrate", "--no-input"])
        if not no_demo:
            self._run([*manage, "load_demo"])
        schedule = local_dir() / "celerybeat-schedule"
        commands = {
            "web": [*manage, "runserver", f"127.0.0.1:{port}"],
            "worker": [*celery, "worker", "--loglevel=INFO", "--concurrency=2"],
            "beat": [*celery, "beat", "--loglevel=INFO", f"--schedule={schedule}"],
        }
        processes = {
            # Each child leads its own process group: we decide when and how it stops.
            name: subprocess.Popen(command, start_new_session=True)
            for name, command in commands.items()
        }
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            self._announce(port, processes)
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        raise CommandError(
                            f"Le processus « {name} » s'est arrêté ({process.returncode})."
                        )
                time.sleep(0.5)
        finally:
            self._stop_all(processes)
        self.stdout.write("GRU est arrêté.")

    def _run(self, command: list[str]) -> None:
        result = subprocess.run(command, check=False)
        if result.returncode != 0:
            raise CommandError(f"Échec de : {' '.join(command[1:])}")

    def _announce(self, port: int, processes) -> None:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in processes.values()):
                return
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1):  # noqa: S310
                    break
            except OSError:
                time.sleep(0.3)
        self.stdout.write(self.style.SUCCESS(f"GRU est prêt : {url}  (Ctrl-C pour tout arrêter)"))

    @staticmethod
    def _stop_all(processes) -> None:
        for process in processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
