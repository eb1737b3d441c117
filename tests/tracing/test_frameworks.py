"""Framework integration: FastAPI (lifespan + opentelemetry-instrumentation-fastapi) and Django
(AppConfig.ready + atexit)."""

from __future__ import annotations

from tracing_support import otel_env


def test_fastapi_request_span_parents_db_spans(run_driver, receiver, unique_set):
    r = run_driver(f"""
        from contextlib import asynccontextmanager
        from fastapi import FastAPI
        from fastapi.testclient import TestClient
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
        from opentelemetry.trace import SpanKind

        pytracer()   # the application's own Python SDK (spans kept in memory here)
        state = {{}}

        @asynccontextmanager
        async def lifespan(app):
            aerospike_py.init_tracing()
            state["db"] = await aclient()
            yield
            aerospike_py.shutdown_tracing()

        app = FastAPI(lifespan=lifespan)

        @app.get("/users/{{uid}}")
        async def get_user(uid: str):
            db = state["db"]
            await db.put(("test", "{unique_set}", uid), {{"name": uid}})
            _, _, bins = await db.get(("test", "{unique_set}", uid))
            return bins

        FastAPIInstrumentor.instrument_app(app)
        with TestClient(app) as tc:
            resp = tc.get("/users/u1")
        server = [s for s in PYSPANS.get_finished_spans() if s.kind == SpanKind.SERVER]
        result(status=resp.status_code, body=resp.json(),
               server=[(hexid(s.context.trace_id, 32), hexid(s.context.span_id), s.name) for s in server])
    """, env=otel_env(receiver.endpoint))
    assert r["status"] == 200 and r["body"] == {"name": "u1"}
    assert len(r["server"]) == 1
    trace_id, span_id, name = r["server"][0]
    assert "/users/{uid}" in name
    spans = receiver.wait_for_spans(2)
    assert sorted(s.name for s in spans) == [f"GET test.{unique_set}", f"PUT test.{unique_set}"]
    for s in spans:
        assert s.trace_id == trace_id and s.parent_span_id == span_id


APPS_PY = '''
import atexit
from django.apps import AppConfig

class TracedAppConfig(AppConfig):
    name = "tracedapp"

    def ready(self):
        import aerospike_py
        aerospike_py.init_tracing()
        atexit.register(aerospike_py.shutdown_tracing)
'''


def test_django_appconfig_ready_and_atexit(run_driver, receiver, unique_set, tmp_path):
    pkg = tmp_path / "djsite" / "tracedapp"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "apps.py").write_text(APPS_PY)
    r = run_driver(f"""
        import django
        from django.conf import settings
        from django.http import JsonResponse
        from django.urls import path

        DB = []

        def view(request, uid):
            if not DB:
                DB.append(client())
            DB[0].put(("test", "{unique_set}", uid), {{"v": uid}})
            return JsonResponse(DB[0].get(("test", "{unique_set}", uid))[2])

        urlpatterns = [path("items/<str:uid>", view)]
        settings.configure(DEBUG=False, ALLOWED_HOSTS=["*"], ROOT_URLCONF=__name__,
                           INSTALLED_APPS=["tracedapp.apps.TracedAppConfig"], MIDDLEWARE=[], DATABASES={{}})
        django.setup()
        from django.test import Client as DjangoClient
        resp = DjangoClient().get("/items/x1")
        result(status=resp.status_code, body=resp.json())
        # no explicit shutdown: the atexit hook registered in ready() flushes
    """, env=otel_env(receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY="60000"), pythonpath=[str(tmp_path / "djsite")])
    assert r["status"] == 200 and r["body"] == {"v": "x1"}
    assert sorted(s.name for s in receiver.wait_for_spans(2)) == [f"GET test.{unique_set}", f"PUT test.{unique_set}"]
