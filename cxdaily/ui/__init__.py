"""The Textual app. Only this package imports Textual or Rich.

Importing it sets how soon Textual may repaint after a change (``TEXTUAL_FPS``, see
:data:`REPAINT_RATE`), unless the environment says otherwise or Textual's screens are
loaded already.
"""

import os

REPAINT_RATE = 240
"""The most repaints a second (``TEXTUAL_FPS``; Textual's own default is 60). Textual paces
a screen's repaints to fixed ticks of 1/rate: a change made just after a repaint waits for
the next tick. The session's clock repaints every second, so at 60 a key pressed just after
it (``j``, ``k``) waited up to 17 ms more before its frame; at 240, up to 4 ms. A repaint
happens only when something changed, and animations keep their own rate, so an idle or
animating screen draws no more often."""

os.environ.setdefault("TEXTUAL_FPS", str(REPAINT_RATE))
