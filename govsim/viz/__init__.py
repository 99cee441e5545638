"""The live app: a Solara page showing a running model (``govsim viz``).

``state`` reads a running model's live state; ``levers`` turns the app's controls into
scenario overrides; ``live`` is the model the app drives; ``mapview`` and ``charts`` draw
its figures; ``results`` reads a results folder's report; ``app`` builds the page
(``GovsimViz`` for Jupyter, ``Page`` for ``solara run``); ``server`` starts it as a
standalone web page.
"""

import warnings

# Mesa 3.3's ComponentsView calls solara.use_state after an early return, and solara's
# hook check warns about it when Mesa's module is imported (Mesa 3.4 moved the early
# return below its hooks). The app never renders ComponentsView; this one warning, from
# that one Mesa function, is silenced so that importing the app prints nothing.
warnings.filterwarnings(
    "ignore",
    message=r".*mesa[/\\]visualization[/\\]solara_viz\.py:\d+: ComponentsView: `use_state` "
    "found despite early return",
    category=UserWarning,
    module=r"solara\.validate_hooks",
)
