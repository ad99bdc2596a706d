"""``sahelsim demo``: watch the siege unfold in the browser.

A local web app runs the C++ engine live: a map (control by cell, villages, militant bands, military
units, markets coloured by fuel price, convoys on the road and those attacked) with charts beside it
(fuel price and stock in the capital, electricity, tankers destroyed, civilian deaths by perpetrator,
legitimacy, control), controls to play, pause, step, reset and set the speed, a scenario picker
(siege-classroom, mali-2025, mali-2025-no-blockade, Epstein's civil violence) and the parameters
that matter in class. Everything is served from this machine: plotly.js comes from the installed
``plotly`` package, so the page works offline.

::

    from sahelsim.demo import DemoServer
    with DemoServer(port=0) as server:      # port 0: a free port
        print(server.url)                   # http://127.0.0.1:PORT/
        ...

or from the shell: ``sahelsim demo [--port N] [--host 127.0.0.1] [--no-browser]``. The teaching guide
is docs/teaching.md.
"""

from __future__ import annotations

import errno
import logging
import threading
from typing import Optional

from .app import create_app
from .session import InputError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


class DemoServer:
    """The demo's web server on `host`:`port` (port 0: a free port), serving from a thread until
    :meth:`close` (or the end of a ``with`` block). :attr:`url` is the page's address."""

    def __init__(self, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, threads: int = 1, *,
                 log_requests: bool = False):
        from werkzeug.serving import make_server

        if not log_requests:
            logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self.app = create_app(threads=threads)
        try:
            self._server = make_server(host, port, self.app, threaded=True)
        except SystemExit:  # werkzeug exits when the address is taken; a library should raise instead
            raise OSError(errno.EADDRINUSE, f"address {host}:{port} is already in use") from None
        self.host = host
        self.port = self._server.server_port
        self._thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def start(self) -> "DemoServer":
        """Serves from a background thread."""
        self._thread = threading.Thread(target=self._server.serve_forever, name="sahelsim-demo", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serves on the calling thread until Ctrl-C (werkzeug ends the loop on KeyboardInterrupt)."""
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def close(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> "DemoServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


__all__ = ["DemoServer", "create_app", "InputError", "DEFAULT_HOST", "DEFAULT_PORT"]
