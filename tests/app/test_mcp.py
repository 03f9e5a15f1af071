"""``--mcp`` serves the lab's named events as MCP tools (Gradio's MCP server); off by default."""

from __future__ import annotations

import json
import urllib.request

from lab.settings import parser, settings_from
from tests.conftest import serving


def test_mcp_is_opt_in():
    assert settings_from(parser().parse_args(["serve"])).mcp is False
    assert settings_from(parser().parse_args(["serve", "--mcp"])).mcp is True


def test_mcp_server_lists_the_lab_tools():
    with (
        serving(mcp=True) as (url, _),
        urllib.request.urlopen(url + "gradio_api/mcp/schema", timeout=30) as answer,
    ):
        schema = json.loads(answer.read())
    endpoints = {tool["meta"]["endpoint_name"]: tool for tool in schema}
    assert {"activations", "attribution_compare", "pdp_1d"} <= set(endpoints)
    pdp = endpoints["pdp_1d"]["inputSchema"]["properties"]
    assert "feature" in pdp and "grid_resolution" in pdp
