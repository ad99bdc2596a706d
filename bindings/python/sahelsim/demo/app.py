"""The demo's web app (Flask): a static page, Plotly's JavaScript from the installed ``plotly``
package, and a small JSON API over live sessions.

    GET  /                       the page
    GET  /static/...             its script and style sheet
    GET  /vendor/plotly.min.js   plotly.js, served from the plotly package (no CDN: works offline)
    GET  /api/options            scenarios, their settings (label, kind, range, default), map layers
    POST /api/reset              {scenario, settings} -> a new session: {session, static, state}
    POST /api/step               {session, days, since, layer} -> state after `days` more days (steps)
    GET  /api/state?session=&since=&layer=   the state now

Bad input answers 400 with {"error": message}; an unknown (expired) session 404.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict

from flask import Flask, jsonify, request, send_file

from .session import (DEFAULT_SCENARIO, EPSTEIN, MAX_STEPS_PER_REQUEST, SCENARIO_CHOICES, InputError, Sessions,
                      settings_for, settings_json)

STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")


def plotly_js_path() -> str:
    """plotly.min.js as shipped in the ``plotly`` wheel (package_data)."""
    import plotly

    path = os.path.join(os.path.dirname(plotly.__file__), "package_data", "plotly.min.js")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"plotly.min.js is not in the installed plotly package ({path})")
    return path


def _integer(body: Dict[str, Any], name: str, default: int, minimum: int, maximum: int) -> int:
    raw = body.get(name, default)
    if isinstance(raw, str):
        try:
            raw = int(raw.strip())
        except ValueError:
            pass
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int) or not minimum <= raw <= maximum:
        raise InputError(f"{name} = {raw!r} is not allowed: expected an integer in [{minimum}, {maximum}]")
    return raw


def create_app(threads: int = 1) -> Flask:
    """The demo's Flask app; each session's Sahel model runs on `threads` oneTBB threads."""
    app = Flask("sahelsim.demo", static_folder=STATIC_DIR, static_url_path="/static")
    app.json.sort_keys = False
    sessions = Sessions(threads)
    app.config["SAHELSIM_SESSIONS"] = sessions

    def body() -> Dict[str, Any]:
        """The request's JSON object: {} for an empty body; 400 for anything that is not a JSON object
        (malformed JSON was taken as {}, so a reset ignored the scenario asked for)."""
        raw = request.get_data(cache=True)
        if not raw.strip():
            return {}
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError) as error:  # RecursionError: brackets nested too deeply
            raise InputError(f"the request body is not valid JSON ({str(error)[:120]}): expected a JSON object") from None
        if not isinstance(data, dict):
            raise InputError("the request body is not allowed: expected a JSON object")
        return data

    def session_of(session_id: Any):
        try:
            return sessions.get(session_id)
        except KeyError:
            raise LookupError(f"session {session_id!r} is unknown or has expired: press Reset") from None

    @app.errorhandler(InputError)
    def bad_input(error: InputError):
        return jsonify(error=str(error)), 400

    @app.errorhandler(LookupError)
    def not_found(error: LookupError):
        return jsonify(error=str(error)), 404

    @app.after_request
    def headers(response):
        # The page loads nothing from elsewhere; say so to the browser too.
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self' 'unsafe-eval'; connect-src 'self'")
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/")
    def index():
        return send_file(os.path.join(STATIC_DIR, "index.html"))

    @app.get("/vendor/plotly.min.js")
    def plotly_js():
        return send_file(plotly_js_path(), mimetype="text/javascript")

    @app.get("/api/options")
    def options():
        scenarios = []
        for name in SCENARIO_CHOICES:
            scenarios.append({"name": name, "settings": settings_json(settings_for(name)),
                              "kind": "epstein" if name == EPSTEIN else "sahel"})
        return jsonify(scenarios=scenarios, default=DEFAULT_SCENARIO, max_steps_per_request=MAX_STEPS_PER_REQUEST)

    @app.post("/api/reset")
    def reset():
        data = body()
        unknown = [k for k in data if k not in ("scenario", "settings", "layer")]
        if unknown:
            raise InputError(f"unknown field {unknown[0]!r}: expected scenario, settings, layer")
        session = sessions.create(data.get("scenario", DEFAULT_SCENARIO), data.get("settings"))
        return jsonify(session=session.id, static=session.static(),
                       state=session.state(0, data.get("layer")))

    @app.post("/api/step")
    def step():
        data = body()
        session = session_of(data.get("session"))
        days = _integer(data, "days", 1, 1, MAX_STEPS_PER_REQUEST)
        since = _integer(data, "since", 0, 0, 2**31)
        layer = data.get("layer")
        if layer is not None and layer not in session.layers:
            raise InputError(f"layer = {layer!r} is not allowed: expected one of: {', '.join(session.layers)}")
        session.step(days)
        return jsonify(session.state(since, layer))

    @app.get("/api/state")
    def state():
        session = session_of(request.args.get("session"))
        since = _integer(dict(request.args), "since", 0, 0, 2**31)
        return jsonify(session.state(since, request.args.get("layer")))

    return app
