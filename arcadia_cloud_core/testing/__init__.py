"""TEST KNOBS ONLY: what the tests, the crash drills and the demo job use to make sagas fail.

- `drills`: named points where the environment (``ARCADIA_SAGA_CRASH_AT`` /
  ``ARCADIA_SAGA_FAULT_AT``) makes a run worker SIGKILL itself or a step fail. The engine and
  the DO steps call `drills.drill_point`; with neither variable set it does nothing.
- `demo_saga`: echo steps that fail, fail to compensate or crash where the saga inputs say
  (behind the ``saga_demo`` job: the engine end to end with no DigitalOcean call).

Never set these knobs in a deployment. Nothing here is part of the production domain logic.
"""

__all__: list[str] = []
