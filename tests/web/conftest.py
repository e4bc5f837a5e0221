"""Fixtures for the web app tests: an in-process client (Starlette's TestClient) and the app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from web_helpers import Client


@pytest.fixture
def make_client() -> Iterator[Callable[..., Client]]:
    """``make_client(**WebConfig fields)``: a fresh app and browser-like client, started."""
    from starlette.testclient import TestClient

    from evidencekit.web.app import WebConfig, create_app

    opened: list[Any] = []

    def make(**config: Any) -> Client:
        config.setdefault("allowed_hosts", ("testserver", "127.0.0.1", "localhost"))
        app = create_app(WebConfig(**config))
        http = TestClient(app, raise_server_exceptions=False)
        http.__enter__()
        opened.append(http)
        client = Client(http)
        client.get("/")
        return client

    yield make
    for http in opened:
        http.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., Client]) -> Client:
    return make_client()
