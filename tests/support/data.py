"""The sample data in tests/data (see its README.md), for tests and benchmarks."""

from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
APACHE_LOGS = DATA / "apache_logs"  # 10,000 real Apache combined-format lines
CFG_2010 = DATA / "loglines_2010.cfg"  # the 2010 PIRUS2 daemon's loglines.cfg
