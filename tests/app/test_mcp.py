"""``--mcp`` serves the lab's named events as MCP tools (Gradio's MCP server); off by default."""

from __future__ import annotations

import json
import urllib.request

from core.models import ModelManager
from lab.app import build_app, launch_options, prepare
from lab.settings import Settings, parser, settings_from
from tests.conftest import _free_port


def test_mcp_is_opt_in():
    assert settings_from(parser().parse_args(["serve"])).mcp is False
    assert settings_from(parser().parse_args(["serve", "--mcp"])).mcp is True


def test_mcp_server_lists_the_lab_tools():
    settings = Settings(host="127.0.0.1", port=_free_port(), device="cpu", offline=True,
                        warm_up=False, mcp=True)
    demo = prepare(build_app(settings, ModelManager(device="cpu", offline=True)), settings)
    demo.launch(**launch_options(settings), prevent_thread_lock=True, quiet=True)
    try:
        url = f"http://127.0.0.1:{settings.port}/gradio_api/mcp/schema"
        with urllib.request.urlopen(url, timeout=30) as answer:
            schema = json.loads(answer.read())
        endpoints = {tool["meta"]["endpoint_name"]: tool for tool in schema}
        assert {"activations", "attribution_compare", "pdp_1d"} <= set(endpoints)
        pdp = endpoints["pdp_1d"]["inputSchema"]["properties"]
        assert "feature" in pdp and "grid_resolution" in pdp
    finally:
        demo.close()
