"""The front page: where a person who opens the gateway's URL finds their way (Chinese and English)."""

from __future__ import annotations

from flask import Blueprint, Response

home = Blueprint("home", __name__)

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>ShopLab 客服实训店铺</title>
<style>body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;
line-height:1.6;color:#222}code{background:#f3f3f3;padding:.1rem .3rem}</style></head>
<body><h1>ShopLab 客服实训店铺 · Customer-service practice shop</h1>
<p>网关运行中。API 文档：<a href="/openapi.json">/openapi.json</a>，系统状态：<a href="/healthz">/healthz</a>。</p>
<p>The gateway is running. API: <a href="/openapi.json">/openapi.json</a> · health: <a href="/healthz">/healthz</a>.
Sign in with <code>POST /api/v1/auth/login</code> using the demo logins printed by <code>make run</code>.</p>
</body></html>"""


@home.get("/")
def index() -> Response:
    return Response(PAGE, mimetype="text/html")
