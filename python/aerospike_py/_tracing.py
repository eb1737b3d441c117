"""Python-side glue of the built-in tracer and metrics exporter (both are Rust: src/tracing.rs,
src/metrics_export.rs).

- `_parent_reader()`: a function returning the active OTel span context as a tuple, built once
  (a failed `import opentelemetry` is costly, so the outcome is cached by the caller).
- `_install()`: flush at interpreter exit (atexit), re-initialise in fork children, and start
  the log pump: a daemon thread that turns exporter health changes into `logging` records, so
  nothing on an operation's path ever calls into Python logging.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading

logger = logging.getLogger("aerospike_py.tracing")
metrics_logger = logging.getLogger("aerospike_py.metrics")

_PUMP_INTERVAL = 0.5
_lock = threading.Lock()
_hooks_installed = False
_pump_pid = None


class _Marker:
    pass


_mp_marker = _Marker()  # weak-referenceable key for multiprocessing.util.register_after_fork


def _parent_reader():
    """How Rust reads the active OTel span: None (no opentelemetry-api), ("ctxvar", var.get, key,
    SpanContext) (the default contextvars runtime context: Rust calls the ContextVar's bound `get`
    and takes the span stored under `key` directly, well under a microsecond), or ("call", fn,
    SpanContext) (any other runtime context). SpanContext is the class Rust expects a span's
    context to be exactly (then it reads it without a Python-level call)."""
    try:
        from opentelemetry import context as otel_context
        from opentelemetry import trace
    except Exception:  # not installed, or blocked
        return None
    span_context = getattr(trace, "SpanContext", None)
    try:
        from contextvars import ContextVar

        from opentelemetry.trace.propagation import _SPAN_KEY

        var = getattr(otel_context._RUNTIME_CONTEXT, "_current_context", None)
        if isinstance(var, ContextVar) and isinstance(var.get(), dict) and isinstance(_SPAN_KEY, str):
            return ("ctxvar", var.get, _SPAN_KEY, span_context)
    except Exception:  # internals moved: use the public API
        pass
    return ("call", trace.get_current_span, span_context)


def _drain() -> None:
    from aerospike_py import _aerospike

    for level, message in _aerospike._tracing_take_events():
        (metrics_logger if message.startswith("metric ") else logger).log(level, message)


def _pump() -> None:
    import time

    while True:
        time.sleep(_PUMP_INTERVAL)
        try:
            _drain()
        except Exception:  # interpreter going down, module torn down
            return


def _start_pump() -> None:
    global _pump_pid
    with _lock:
        if _pump_pid == os.getpid():
            return
        _pump_pid = os.getpid()
    threading.Thread(target=_pump, name="aerospike-py-tracing-log", daemon=True).start()


def _at_exit() -> None:
    from aerospike_py import _aerospike

    _aerospike.shutdown_tracing()


def _after_fork_in_child() -> None:
    global _lock
    _lock = threading.Lock()  # the parent's may have been held by another thread at fork time
    from aerospike_py import _aerospike

    _aerospike._tracing_after_fork_in_child()
    # multiprocessing children leave through os._exit() (no atexit): flush from its finalizers.
    # They are cleared when the child bootstraps, so register from its after-fork callbacks.
    mp_util = sys.modules.get("multiprocessing.util")
    if mp_util is not None:
        mp_util.register_after_fork(_mp_marker, lambda _: mp_util.Finalize(None, _at_exit, exitpriority=0))


def _install() -> None:
    global _hooks_installed
    with _lock:
        first = not _hooks_installed
        _hooks_installed = True
    if first:
        atexit.register(_at_exit)
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=_after_fork_in_child)
    _start_pump()


_metrics_hooks_installed = False


def _metrics_at_exit() -> None:
    from aerospike_py import _aerospike

    _aerospike.shutdown_metrics()


def _metrics_after_fork_in_child() -> None:
    from aerospike_py import _aerospike

    _aerospike._metrics_after_fork_in_child()
    mp_util = sys.modules.get("multiprocessing.util")
    if mp_util is not None:
        mp_util.register_after_fork(
            _mp_metrics_marker, lambda _: mp_util.Finalize(None, _metrics_at_exit, exitpriority=0)
        )


_mp_metrics_marker = _Marker()


def _install_metrics() -> None:
    """init_metrics(): a last export at exit, a new exporter in fork children, the log pump."""
    global _metrics_hooks_installed
    with _lock:
        first = not _metrics_hooks_installed
        _metrics_hooks_installed = True
    if first:
        atexit.register(_metrics_at_exit)
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=_metrics_after_fork_in_child)
    _start_pump()
