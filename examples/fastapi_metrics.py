"""Serving aerospike-py's metrics to Prometheus from a FastAPI application (docs/metrics.md).

    pip install aerospike-py fastapi uvicorn
    uvicorn examples.fastapi_metrics:app        # then scrape http://127.0.0.1:8000/metrics

AEROSPIKE_HOST / AEROSPIKE_PORT name the server (default 127.0.0.1:3000). Metrics are recorded
from the first operation on; `get_metrics()` renders them in the Prometheus text format. To push
them over OTLP as well, call `aerospike_py.init_metrics()` in the lifespan (OTEL_* variables).
"""

from __future__ import annotations

import os
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException
from fastapi.responses import PlainTextResponse

import aerospike_py
from aerospike_py import exception

CONFIG = {"hosts": [(os.environ.get("AEROSPIKE_HOST", "127.0.0.1"), int(os.environ.get("AEROSPIKE_PORT", "3000")))]}


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.db = await aerospike_py.AsyncClient(CONFIG).connect()
    yield
    await app.state.db.close()


app = FastAPI(lifespan=lifespan)


@app.get("/metrics", response_class=PlainTextResponse)
def metrics() -> PlainTextResponse:
    # The Prometheus text exposition format, version 0.0.4 (what Prometheus scrapes).
    return PlainTextResponse(aerospike_py.get_metrics(), media_type="text/plain; version=0.0.4; charset=utf-8")


@app.put("/users/{uid}")
async def put_user(uid: str, user: dict):
    await app.state.db.put(("test", "users", uid), user)
    return {"uid": uid}


@app.get("/users/{uid}")
async def get_user(uid: str):
    try:
        _, _, bins = await app.state.db.get(("test", "users", uid))
    except exception.RecordNotFound:
        raise HTTPException(status_code=404, detail=f"no user {uid}")
    return bins
