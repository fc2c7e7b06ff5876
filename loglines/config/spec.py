"""The validation spec of loglines.cfg, one block per section kind.

Key names and meanings of the 2010 file are kept; what is new has new keys.
A worker section's kind is named by ``kind =`` or, in a 2010 file, told by
its ``command =`` script or by the keys it has.
"""

SUPERVISOR = """
port = string(default='127.0.0.1:9001')
username = string(default='loglines')
password = string(default=None)
logfile = string(default='var/log/supervisord.log')
pidfile = string(default='var/supervisord.pid')
childlogdir = string(default='var/log')
loglevel = option('critical', 'error', 'warn', 'info', 'debug', 'trace', 'blather', default='info')
nodaemon = boolean(default=False)
"""

REDIS = """
host = string(default='127.0.0.1')
port = integer(min=1, max=65535, default=6379)
db = integer(min=0, default=0)
password = string(default=None)
url = string(default=None)
unix_socket = string(default=None)
managed = boolean(default=False)
bind = string(default='127.0.0.1')
data_dir = string(default='var/redis')
maxmemory = string(default=None)
min_version = string(default='6.2.20')
below_min_version = option('warn', 'refuse', default='warn')
socket_timeout = float(min=0.5, default=10.0)
connect_timeout = float(min=0.1, default=5.0)
"""

# 64 attempts with the default one-hour cap keep an event retried for more
# than a day, the outage the design asks to survive.
_RETRY = """
max_attempts = integer(min=1, default={max_attempts})
retry_delay = float(min=0, default={retry_delay})
retry_max_delay = float(min=0, default={retry_max_delay})
"""

QUEUES = """
prefix = queue_name(default='loglines')
cap = integer(min=0, default=1000000)
consumer_timeout = float(min=2, default=30.0)
heartbeat_interval = float(min=0.1, default=5.0)
block_timeout = float(min=0.05, max=30, default=1.0)
dead_retention_days = float(min=0, default=30)
""" + _RETRY.format(max_attempts=64, retry_delay=1.0, retry_max_delay=3600.0) + """
[__many__]
cap = integer(min=0, default=None)
dead_retention_days = float(min=0, default=None)
""" + _RETRY.format(max_attempts=None, retry_delay=None, retry_max_delay=None)

# Keys every program section ([process_*], [logger_*], [worker_*]) takes:
# supervisord's per-program settings, and which Redis it talks to.
PROGRAM = """
kind = string(default=None)
command = string(default=None)
redis = string(default='')
autostart = boolean(default=True)
autorestart = option('true', 'false', 'unexpected', default='true')
numprocs = integer(min=1, max=64, default=1)
priority = integer(min=0, max=999, default=None)
startsecs = integer(min=0, default=None)
startretries = integer(min=0, default=None)
stopwaitsecs = integer(min=1, default=None)
stdout_logfile = string(default=None)
user = string(default=None)
"""

# The Data_Types of the COUNTER_SUSHI 5.1 Item Report: sushi_data_type is
# the one every item is reported as, since a log line does not tell.
SUSHI_DATA_TYPES = ("Article", "Audiovisual", "Book_Segment", "Conference_Item",
                    "Database_Full_Item", "Dataset", "Image", "Interactive_Resource",
                    "Multimedia", "News_Item", "Other", "Patent", "Reference_Item", "Report",
                    "Software", "Sound", "Standard", "Thesis_or_Dissertation", "Unspecified")

KINDS = {
    "logfilewatcher": """
logfile = string
servicename = string
pushto = queue_name
start_at = option('end', 'beginning', default='end')
max_line_size = integer(min=256, default=16384)
line_start = regex(default=None)
batch_size = integer(min=1, max=10000, default=1000)
readahead = integer(min=0, default=20000)
poll_interval = float(min=0.01, max=5, default=0.1)
state_dir = string(default='var/tail')
""",
    "logfromqueue": """
listento = queue_name
logfile = string
batch_size = integer(min=1, max=50000, default=5000)
retention_days = float(min=0, default=90)
""",
    "broker": """
listento = queue_name
fanout = queue_list
fanout_status_queue = string(default=None)
idletime = float(min=0.05, max=30, default=1.0)
batch_size = integer(min=1, max=1000, default=1000)
""",
    "pirus2": """
listento = queue_name
repository_plugin = string
endpoint_url = string(default=None)
success = status_list(default=list('200'))
failure_body = regex(default=None)
timeout = float(min=0.1, default=60.0)
timeout_ceiling = float(min=0.1, default=None)
connect_timeout = float(min=0.1, default=10.0)
pauseonfail = float(min=0, default=None)
ratelimit = float(min=0, default=0)
concurrency = integer(min=1, max=256, default=8)
success_queue = queue_name(default=None)
other_queue = queue_name(default=None)
stats_queue = queue_name(default=None)
dry_run = boolean(default=False)
dry_run_file = string(default='var/log/dry_run_urls.log')
debug = boolean(default=False)
batch_size = integer(min=1, max=1000, default=500)
target = option('irus', 'matomo', default='irus')
idsite = integer(min=1, default=None)
token_auth = string(default=None)
bulk_size = integer(min=1, max=1000, default=100)
oai_prefix = string(default=None)
base_url = string(default=None)
req_id = option('ip', 'urn', 'hash', default='ip')
req_id_salt = string(default=None)
trusted_proxies = force_list(default=list())
log_format = string(default='combined')
exclude_user_agents = force_list(default=list())
exclude_ips = force_list(default=list())
earliest_event_year = integer(min=1, max=9999, default=1995)
future_tolerance = float(min=0, default=3600.0)
dspace_rest_url = string(default=None)
lookup_timeout = float(min=0.1, max=60, default=5.0)
exclude_datastreams = force_list(default=list('DC', 'MODS', 'MARC21', 'RELS-EXT', 'FULLTEXT'))
request_pattern = string(default=None)
investigation_pattern = string(default=None)
id_pattern = string(default=None)
""" + _RETRY.format(max_attempts=None, retry_delay=None, retry_max_delay=None),
    # An HTTP endpoint taking log lines and Python logging records (HTTP
    # Basic auth always; a password is required when the worker starts).
    "httpingest": """
pushto = queue_name
servicename = string
bind = string(default='127.0.0.1')
port = integer(min=1, max=65535)
username = string(default='loglines')
password = string(default=None)
max_body = integer(min=1024, default=10485760)
max_line_size = integer(min=256, default=16384)
read_timeout = float(min=0.1, max=3600, default=10.0)
header_timeout = float(min=0.1, max=3600, default=10.0)
max_connections = integer(min=1, default=64)
records_queue = queue_name(default=None)
users = string(default=None)
users_file = string(default=None)
""",
    # Receives access-log lines over syslog (TCP and UDP on one port).
    "syslogd": """
servicename = string
pushto = queue_name
port = integer(min=1, max=65535)
bind = string(default='127.0.0.1')
protocols = force_list(default=list('tcp', 'udp'))
service_by_tag = force_list(default=list())
token = string(default=None)
max_line_size = integer(min=256, max=16777216, default=16384)
recv_size = integer(min=1024, max=16777216, default=65536)
cleanup_timeout = float(min=0, default=300.0)
max_connections = integer(min=1, default=1000)
queued_events = integer(min=1, default=10000)
batch_size = integer(min=1, max=10000, default=1000)
batch_timeout = float(min=0, max=10, default=0.1)
""",
    # Keeps the statistics of the records pirus2 puts on its stats_queue.
    "stats": """
listento = queue_name
statistics = force_list(default=list('builtin'))
batch_size = integer(min=1, max=50000, default=20000)
flush_interval = float(min=0.05, max=60, default=1.0)
""",
    # Keeps the log records httpingest puts on its records_queue in the store
    # (docs/design.md, Log records); purges those past retention_days.
    "records": """
listento = queue_name
batch_size = integer(min=1, max=10000, default=1000)
flush_interval = float(min=0, max=60, default=0.2)
retention_days = float(min=0, default=0)
purge_every = float(min=1, default=300.0)
purge_batch = integer(min=10, max=100000, default=1000)
own_warnings = boolean(default=False)
""",
    # A Prometheus endpoint reading Redis at scrape time (loopback by default).
    "metrics": """
bind = string(default='127.0.0.1')
port = integer(min=1, max=65535, default=9464)
""",
    # The read-only statistics API over HTTP (loopback by default; reads are
    # open without a password, which a non-loopback bind then requires),
    # with COUNTER_SUSHI 5.1 (the sushi_ keys; docs/design.md, The API).
    "api": """
bind = string(default='127.0.0.1')
port = integer(min=1, max=65535, default=8480)
username = string(default='loglines')
password = string(default=None)
stats_section = string(default=None)
users = string(default=None)
users_file = string(default=None)
""" + """
sushi_platform = string(default='loglines')
sushi_platform_id = string(default='loglines')
sushi_customers = force_list(default=list('0000000000000000=The World'))
sushi_requestors = force_list(default=list())
sushi_api_key = string(default=None)
sushi_min_interval = float(min=0, default=0.0)
sushi_registry_record = string(default='')
sushi_data_type = option({data_types}, default='Unspecified')
sushi_publisher = string(default='')
""".format(data_types=", ".join(repr(t) for t in SUSHI_DATA_TYPES)),
    # Gathers packages of collected data for each finished period and ships
    # them to a service (docs/design.md, Shipping); target post or put needs
    # url, folder needs folder; secrets as ${VARIABLES}.
    "shipper": """
listento = queue_name(default='ship')
target = option('post', 'put', 'folder')
url = string(default=None)
folder = string(default=None)
auth = option('none', 'basic', 'bearer', default='none')
username = string(default=None)
password = string(default=None)
token = string(default=None)
content_type = string(default='application/vnd.loglines.package+tgz')
field = string(default='file')
headers = force_list(default=list())
report_id_field = string(default='id')
timeout = float(min=0.1, max=3600, default=120.0)
collectors = force_list(default=list('builtin'))
groups = force_list(default=list('counter'))
period = option('month', 'day', default='month')
start = string(default=None)
settle = float(min=0, default=21600.0)
interval = float(min=1, default=900.0)
max_package_bytes = integer(min=100, default=200000000)
work_dir = string(default='var/ship')
api_section = string(default=None)
""" + _RETRY.format(max_attempts=None, retry_delay=None, retry_max_delay=None),
    # A program of the user's own ([process_*] other than redis).
    "command": """
command = string
""",
    # The embedded Redis ([process_redis]), run as `loglines redis`.
    "redis": "",
}

# 2010 files name the script a program ran; this is what each one was.
SCRIPT_KINDS = {
    "logfilewatcher": "logfilewatcher",
    "logfromqueue": "logfromqueue",
    "broker": "broker",
    "pirus2": "pirus2",
}

# Plugins read their own keys from the worker's section (the 2010
# default_utils plugin reads url_ver, svc_dat and rfr_id); OpenURL-shaped
# keys and keys starting with plugin_ are passed to them unchecked.
PLUGIN_KEY_PREFIXES = ("url_", "rft", "rfr_", "req_", "svc", "res_", "ctx_", "plugin_")

# [notify]: who hears of dead letters, old backlogs and crashed programs.
# Sending is an rq job on the `queue` rq queue (of the [redis] named by
# `redis`), run by the generated loglines_notify_worker program.
NOTIFY = """
webhook_url = string(default=None)
smtp_host = string(default=None)
smtp_port = integer(min=1, max=65535, default=25)
smtp_tls = option('none', 'starttls', 'ssl', default='starttls')
smtp_user = string(default=None)
smtp_password = string(default=None)
mail_from = string(default=None)
mail_to = force_list(default=list())
notify_interval = float(min=0, default=300.0)
backlog_age = float(min=0, default=3600.0)
timeout = float(min=1, max=600, default=30.0)
redis = string(default='')
queue = queue_name(default='notify')
"""

# [store]: the database loglines keeps events and statistics in; without a
# url, an SQLite file in the instance (config.model.DEFAULT_STORE).
STORE = """
url = string(default=None)
"""

GLOBAL_SECTIONS = {"supervisor": SUPERVISOR, "queues": QUEUES, "notify": NOTIFY,
                   "store": STORE}
# The kinds of [process_*] sections; every other kind is a worker in workers/.
PROCESS_KINDS = ("redis", "command")
PROGRAM_PREFIXES = ("process_", "logger_", "worker_")


def keyed(block):
    """The keys a spec block declares, in order, with their checks."""
    pairs = (line.split("=", 1) for line in block.splitlines() if "=" in line)
    return {k.strip(): v.strip() for k, v in pairs}
