"""The smallest Dash app: a title, an input, and an output one callback fills.

Run it:  python hello-world/app.py   → http://127.0.0.1:8050
"""

from dash import Dash, Input, Output, dcc, html

app = Dash(__name__, title="Hello, Dash")

app.layout = html.Main(
    [
        html.H1("Hello, Dash"),
        html.Label("Your name", htmlFor="name"),
        dcc.Input(id="name", type="text", value="world"),
        html.P(id="greeting"),
    ]
)


@app.callback(Output("greeting", "children"), Input("name", "value"))
def greet(name):
    """Runs in Python every time the input changes; returns the new text."""
    return f"Hello, {name or 'nobody'}!"


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8050, debug=False)
