"""A siteseer page: the app.py greeting, as a page of the site at /hello.

Serve it:  siteseer serve --pages hello-world/pages/   then open /hello
siteseer imports every *.py file in the --pages folder; each is one page.
To add a page, copy this file (say to about.py), change `path`, `title`,
the layout, and the id prefix, and restart siteseer.
"""

from dash import Input, Output, callback, dcc, html

path = "/hello"  # optional: where the page is served (default: /<file name>)
title = "Hello"  # optional: shown in the browser tab

# `layout` is required: the page's content. siteseer adds the site's header.
layout = html.Section(
    [
        html.H1("Hello from a siteseer page"),
        html.Label("Your name", htmlFor="hello-name"),
        dcc.Input(id="hello-name", type="text", value="visitor"),
        html.P(id="hello-greeting"),
    ]
)


# Same callback as app.py. All pages share one app, so every id starts with
# this page's own prefix (hello-...), and callbacks use `callback`: a page
# has no `app` of its own.
@callback(Output("hello-greeting", "children"), Input("hello-name", "value"))
def greet(name):
    return f"Hello, {name or 'nobody'}!"
