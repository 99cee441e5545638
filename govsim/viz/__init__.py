"""The live app: a Mesa SolaraViz page showing a running model (``govsim viz``).

``state`` reads a running model's live state; ``levers`` turns the app's controls into
scenario overrides; ``live`` is the model the app drives; ``mapview`` and ``charts`` draw
its figures; ``app`` builds the page (``GovsimViz`` for Jupyter, ``Page`` for
``solara run``); ``server`` starts it as a standalone web page.
"""
