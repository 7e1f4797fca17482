"""The smallest Dash app: a title, a text box, and a greeting that follows it.

Run it:  python hello-world/app.py   then open http://127.0.0.1:8050
Stop it: Ctrl+C
"""

from dash import Dash, Input, Output, callback, dcc, html

# One Dash app per program; `title` is what the browser tab shows.
app = Dash(__name__, title="Hello, Dash")

# 1. The layout: what is on the page, as a tree of components.
#    html.* are plain HTML elements (H1, P, Label...), dcc.* are interactive
#    ones (Input, Dropdown, Graph...). An `id` lets a callback find one.
app.layout = html.Main(
    [
        html.H1("Hello, Dash"),  # change this text first, save, and watch
        html.Label("Your name", htmlFor="name"),
        dcc.Input(id="name", type="text", value="world"),
        html.P(id="greeting"),  # empty here: the callback below fills it
    ]
)


# 2. A callback: "whenever the `value` of `name` changes, call greet() and put
#    what it returns into the `children` (the content) of `greeting`".
#    It also runs once when the page first loads.
@callback(Output("greeting", "children"), Input("name", "value"))
def greet(name):
    return f"Hello, {name or 'nobody'}!"


# 3. Serve it. debug=True reloads the page each time you save this file.
#    Another port: PORT=8060 python hello-world/app.py
if __name__ == "__main__":
    app.run(host="127.0.0.1", debug=True)
