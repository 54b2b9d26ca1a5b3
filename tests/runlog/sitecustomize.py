"""Loaded by a test server started with PYTHONPATH=tests/runlog: logs every Streamlit script run (time, page) to
KLA_RUN_LOG, so a test can count the runs a view costs (tests/test_e2e_runs.py)."""

import os
import time

if os.environ.get("KLA_RUN_LOG"):
    from streamlit.runtime.scriptrunner import script_runner as _sr

    _orig = _sr.exec_func_with_error_handling

    def _logged(func, ctx):
        try:
            return _orig(func, ctx)
        finally:
            with open(os.environ["KLA_RUN_LOG"], "a", encoding="utf-8") as fh:
                fh.write(f"{time.time():.3f}\n")

    _sr.exec_func_with_error_handling = _logged
