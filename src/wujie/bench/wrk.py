"""An optional second load client: Debian's ``wrk`` (C, epoll, keep-alive, no pipelining).

``wujie bench http`` works without it; when ``wrk`` is on the ``PATH`` the single-order closed loop
also runs under it, a client that costs the shared cores less than our Python one. The requests
are the bench's own (token and body per request), replayed in turn by a generated Lua script.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

_MARK = "WRKJSON "

_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('@MARK@{"requests":%d,"duration_us":%d,"non_2xx_3xx":%d,"socket_errors":%d,'
    .. '"p50_us":%d,"p99_us":%d}\\n', summary.requests, summary.duration, e.status,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
end
"""


def available() -> bool:
    """Return whether ``wrk`` is installed."""
    return shutil.which("wrk") is not None


def _script(path: str, requests: Sequence[tuple[str, bytes]]) -> str:
    """Return a Lua script replaying ``(authorization, body)`` requests in turn."""
    rows = ",\n".join(f"{{[==[{auth}]==], [==[{body.decode()}]==]}}" for auth, body in requests)
    return (
        f"local rows = {{\n{rows}\n}}\nlocal reqs = {{}}\n"
        "init = function(args)\n  for i, r in ipairs(rows) do\n"
        f'    reqs[i] = wrk.format("POST", "{path}", '
        '{["authorization"] = r[1], ["content-type"] = "application/json"}, r[2])\n'
        "  end\nend\nlocal n = 0\n"
        "request = function()\n  n = n % #reqs + 1\n  return reqs[n]\nend\n" + _DONE.replace("@MARK@", _MARK)
    )


def closed_loop(
    port: int, path: str, requests: Sequence[tuple[str, bytes]], *, connections: int, seconds: float, workdir: Path
) -> dict[str, float | int]:
    """Run ``wrk`` (one thread) against ``path``; return requests/s, p50/p99 (ms) and error counts."""
    script = workdir / "wujie-bench.lua"
    script.write_text(_script(path, requests))
    command = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{max(1, round(seconds))}s", "-s", str(script)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    target = f"http://127.0.0.1:{port}"
    out = subprocess.run([*command, target], check=True, capture_output=True, text=True, timeout=seconds + 60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    line = next((x for x in out.stdout.splitlines() if x.startswith(_MARK)), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary: {out.stdout[-300:]} {out.stderr[-300:]}")
    found = json.loads(line[len(_MARK) :])
    seconds_run = found["duration_us"] / 1e6
    return {
        "per_s": round(found["requests"] / seconds_run, 1),
        "p50_ms": round(found["p50_us"] / 1000, 3),
        "p99_ms": round(found["p99_us"] / 1000, 3),
        "requests": found["requests"],
        "non_2xx_3xx": found["non_2xx_3xx"],
        "socket_errors": found["socket_errors"],
        "seconds": round(seconds_run, 2),
        "connections": connections,
        "client_cpu_us_per_request": round(1e6 * cpu / max(1, found["requests"]), 1),
    }
