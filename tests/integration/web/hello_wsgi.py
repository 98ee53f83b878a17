"""The smallest WSGI app: the keep-alive test is about how gunicorn is run, not about any ShopLab page."""


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
