"""An example page for `siteseer serve DIR --pages hello-world/pages`.

siteseer imports every *.py file in the --pages folder. A page module
defines `layout` (and optionally `path` and `title`); callbacks use
`dash.callback`. This one is served at /hello, under the site's header.
"""

from dash import Input, Output, callback, dcc, html

path = "/hello"  # optional; the default is "/<file name>"
title = "Hello"  # optional; shown in the browser tab

layout = html.Section(
    [
        html.H1("Hello from a siteseer page"),
        html.Label("Your name", htmlFor="hello-name"),
        dcc.Input(id="hello-name", type="text", value="visitor"),
        html.P(id="hello-greeting"),
    ]
)


# Give every id a prefix of your own (hello-…): all pages share one app.
@callback(Output("hello-greeting", "children"), Input("hello-name", "value"))
def greet(name):
    return f"Hello, {name or 'nobody'}!"
