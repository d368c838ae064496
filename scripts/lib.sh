# shellcheck shell=bash
# Shared shell functions of scripts/run, scripts/test, scripts/bench and
# scripts/stack: Debian packages, the build, the private PostgreSQL cluster, TLS,
# nginx, the pool, the worker and the mail/SMS stand-ins.  Sourced, never run.
#
# A stack lives in one directory, $MP_VAR (var/ of the checkout for scripts/run,
# a mktemp -d directory for scripts/test and scripts/bench):
#
#   app/      runtime copy: bin/{mpanel-fcgi,mpanel-worker,mpanelctl},
#             templates/, static/, sql/ (owned by the service user)
#   brand/    generated brand CSS (brand_dir)
#   cache/    last good copies of pages kept for outages (cache_dir)
#   pg/data   PostgreSQL cluster;  pg/run  its unix socket dir (mode 0700)
#   run/      pool socket, pid files
#   log/      every log file
#   tls/      self-signed certificate and key
#   nginx/    generated nginx.conf, mpanel.conf, snippets, temp dirs, extra/
#   mail/     caught mail (Maildir: new/*.eml + *.json envelope)
#   sms/      requests received by the SMS provider stand-in (*.json)
#   extra/    configs of extra pools started by `scripts/stack pool-extra`
#   mpanel.conf   the pool/worker/mpanelctl configuration
#   stack.env     every MP_* variable below, for scripts/stack and humans
#
# Processes run as $MP_RUN_AS (the system user "mpanel" when started as root,
# empty = the invoking user otherwise), each in its own session so a Ctrl-C in
# the terminal reaches only the script, which then stops them in order.

MP_SRC=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
MP_PY=/usr/bin/python3
MP_JOBS=${MP_JOBS:-2}
export MP_SRC

# Debian packages needed to build, run and test.  nginx is checked separately
# (any of nginx-light, nginx, nginx-core will do).
MP_PACKAGES=(
	build-essential autoconf automake libtool pkg-config
	libfcgi-dev libpq-dev libjson-c-dev clearsilver-dev zlib1g-dev
	libcurl4-openssl-dev libssl-dev libcmark-gfm-dev
	libcmark-gfm-extensions-dev libcmocka-dev
	postgresql pgbouncer openssl curl
	python3-pytest python3-aiosmtpd python3-selenium python3-requests
	python3-psycopg2 chromium chromium-driver wrk clang
	zbar-tools librsvg2-bin
)

# Variables that describe a stack: written to $MP_VAR/stack.env and exported
# to the tests.
MP_ENV_VARS=(
	MP_SRC MP_VAR MP_CONF MP_RUN_AS MP_STACK
	MP_HTTPS_PORT MP_HTTP_PORT MP_LISTEN_ADDR MP_LISTEN_ADDR6 MP_BASE_DOMAIN
	MP_PG_BINDIR MP_PG_HOST MP_PG_PORT MP_DB MP_APP_ROLE MP_OWNER_ROLE
	MP_SUPER_ROLE
	MP_POOL_SOCKET MP_POOL_PIDFILE MP_WORKER_PIDFILE MP_NGINX_PIDFILE
	MP_NGINX_CONF MP_LOG_DIR MP_TLS_CERT MP_TLS_KEY
	MP_SMTP_PORT MP_MAILDIR MP_SMS_PORT MP_SMS_DIR
	MP_POST_RATE MP_POST_BURST MP_BARE_SOCKET
	MP_WORKERS MP_MAX_REQUESTS MP_REQUEST_TIMEOUT MP_SHUTDOWN_TIMEOUT
	MP_TEST_ROUTES MP_TENANT_CACHE_TTL MP_LOG_LEVEL
	MP_PGBOUNCER MP_PGBOUNCER_PORT MP_PGBOUNCER_POOL MP_POOL_SERVERS
)

mp_log()  { printf '==> %s\n' "$*" >&2; }
mp_warn() { printf 'warning: %s\n' "$*" >&2; }
mp_die()  { printf 'error: %s\n' "$*" >&2; exit 1; }
mp_is_root() { [ "$(id -u)" -eq 0 ]; }

# Run a command as root: directly when we are root, else through sudo.
mp_sudo() {
	if mp_is_root; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		mp_die "needs root: $* (run as root or install sudo)"
	fi
}

# ---------------------------------------------------------------- packages

# Install whichever Debian packages are missing; apt-get update only then.
# MP_SKIP_INSTALL=1 skips the check.
mp_install_packages() {
	local missing=() p nginx_pkg
	[ "${MP_SKIP_INSTALL:-0}" = 1 ] && return 0
	command -v dpkg-query >/dev/null 2>&1 ||
	    mp_die "dpkg-query not found: scripts/run expects Debian 12"
	for p in "${MP_PACKAGES[@]}"; do
		dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null |
		    grep -q '^ii' || missing+=("$p")
	done
	if ! mp_nginx_bin >/dev/null; then
		nginx_pkg=nginx-light
		apt-cache show nginx-light >/dev/null 2>&1 || nginx_pkg=nginx
		missing+=("$nginx_pkg")
	fi
	[ ${#missing[@]} -eq 0 ] && return 0
	mp_log "installing Debian packages: ${missing[*]}"
	mp_sudo apt-get update -q
	mp_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends "${missing[@]}"
}

mp_nginx_bin() {
	local b
	for b in "${MP_NGINX:-}" "$(command -v nginx 2>/dev/null)" /usr/sbin/nginx; do
		[ -n "$b" ] && [ -x "$b" ] && { printf '%s\n' "$b"; return 0; }
	done
	return 1
}

# PostgreSQL server binaries: pg_config's bindir if it has initdb, else the
# newest /usr/lib/postgresql/*/bin.
mp_pg_bindir() {
	local d
	d=$(pg_config --bindir 2>/dev/null || true)
	if [ -n "$d" ] && [ -x "$d/initdb" ]; then
		printf '%s\n' "$d"
		return 0
	fi
	# shellcheck disable=SC2012
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$d" ] || [ ! -x "$d/initdb" ]; then
		mp_die "PostgreSQL server not found (Debian package postgresql)"
	fi
	printf '%s\n' "$d"
}

# ------------------------------------------------------------------- build

# autoreconf when configure is missing or older than configure.ac; configure
# when there is no Makefile or the wanted flags changed (CI=true adds
# --enable-werror and --enable-debug, MP_CONFIGURE_FLAGS adds more); then make.
mp_build() {
	local flags=() extra=() want have
	[ "${CI:-}" = true ] && flags+=(--enable-werror --enable-debug)
	if [ -n "${MP_CONFIGURE_FLAGS:-}" ]; then
		read -ra extra <<<"$MP_CONFIGURE_FLAGS"
		flags+=("${extra[@]}")
	fi
	(
		cd "$MP_SRC" || exit 1
		if [ ! -x configure ] || [ configure.ac -nt configure ]; then
			mp_log "autoreconf -fi"
			autoreconf -fi || exit 1
		fi
		want="${flags[*]}"
		have=
		[ -x config.status ] &&
		    have=$(./config.status --config 2>/dev/null | tr -d "'")
		if [ ! -f Makefile ] || [ ! -x config.status ] ||
		    [ configure -nt config.status ] || [ "$have" != "$want" ]; then
			mp_log "./configure ${flags[*]}"
			./configure -q "${flags[@]}" || exit 1
		fi
		mp_log "make -j$MP_JOBS"
		make -j"$MP_JOBS" || exit 1
		for p in mpanel-fcgi mpanel-worker mpanelctl; do
			[ -x "$p" ] || { mp_warn "make did not produce ./$p"; exit 1; }
		done
	)
}

# ------------------------------------------------------------ service user

# As root: the system user "mpanel" (created when missing) runs everything.
# Otherwise the invoking user does and MP_RUN_AS is empty.
mp_setup_user() {
	if ! mp_is_root; then
		MP_RUN_AS=
		return 0
	fi
	MP_RUN_AS=${MP_RUN_AS:-mpanel}
	if ! id -u "$MP_RUN_AS" >/dev/null 2>&1; then
		mp_log "creating system user $MP_RUN_AS"
		useradd --system --no-create-home --home-dir /nonexistent \
		    --user-group --shell /usr/sbin/nologin "$MP_RUN_AS" ||
		    mp_die "useradd $MP_RUN_AS failed"
	fi
}

# The command prefix that runs the rest of a command line as the service
# user, in MP_USER_CMD (empty when we are not root).
mp_user_cmd() {
	MP_USER_CMD=()
	if [ -n "${MP_RUN_AS:-}" ] && mp_is_root; then
		MP_USER_CMD=(setpriv "--reuid=$MP_RUN_AS" "--regid=$MP_RUN_AS"
		    --init-groups -- env "HOME=$MP_VAR")
	fi
}

# fd 9 is scripts/run's lock: no child may inherit it.
mp_as_user() {
	local MP_USER_CMD
	mp_user_cmd
	"${MP_USER_CMD[@]}" "$@" 9>&-
}

# chown to the service user (no-op when not root).
mp_own() {
	if [ -n "${MP_RUN_AS:-}" ] && mp_is_root; then
		chown "$MP_RUN_AS:" "$@"
	fi
}

# Create (if needed) a file owned by the service user, for logs.
mp_touch_owned() {
	[ -e "$1" ] || { : >"$1" && mp_own "$1"; }
}

# Can the service user reach this directory?
mp_user_can_reach() {
	[ -z "${MP_RUN_AS:-}" ] && return 0
	setpriv "--reuid=$MP_RUN_AS" "--regid=$MP_RUN_AS" --init-groups -- \
	    test -r "$1" -a -x "$1"
}

# --------------------------------------------------------------- the stack

# Fill in every stack variable from MP_VAR and defaults.
mp_stack_defaults() {
	: "${MP_VAR:?}"
	MP_CONF=${MP_CONF:-$MP_VAR/mpanel.conf}
	# shellcheck disable=SC2034  # exported by mp_save_env
	MP_STACK=$MP_SRC/scripts/stack
	MP_BASE_DOMAIN=${MP_BASE_DOMAIN:-localhost}
	MP_LISTEN_ADDR=${MP_LISTEN_ADDR:-127.0.0.1}
	if [ -z "${MP_LISTEN_ADDR6+set}" ]; then
		MP_LISTEN_ADDR6=
		"$MP_PY" -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' \
		    2>/dev/null && MP_LISTEN_ADDR6='[::1]'
	fi
	MP_PG_BINDIR=${MP_PG_BINDIR:-$(mp_pg_bindir)}
	MP_PG_HOST=$MP_VAR/pg/run
	MP_PG_PORT=${MP_PG_PORT:-5432}
	MP_DB=${MP_DB:-mpanel}
	MP_APP_ROLE=${MP_APP_ROLE:-mpanel_app}
	MP_OWNER_ROLE=${MP_OWNER_ROLE:-mpanel_owner}
	MP_SUPER_ROLE=${MP_SUPER_ROLE:-postgres}
	MP_POOL_SOCKET=$MP_VAR/run/mpanel.sock
	MP_POOL_PIDFILE=$MP_VAR/run/mpanel-fcgi.pid
	MP_WORKER_PIDFILE=$MP_VAR/run/mpanel-worker.pid
	MP_NGINX_PIDFILE=$MP_VAR/run/nginx.pid
	MP_NGINX_CONF=$MP_VAR/nginx/nginx.conf
	MP_LOG_DIR=$MP_VAR/log
	MP_TLS_CERT=$MP_VAR/tls/cert.pem
	MP_TLS_KEY=$MP_VAR/tls/key.pem
	MP_MAILDIR=$MP_VAR/mail
	MP_SMS_DIR=$MP_VAR/sms
	MP_POST_RATE=${MP_POST_RATE:-10r/s}
	MP_POST_BURST=${MP_POST_BURST:-20}
	MP_BARE_SOCKET=${MP_BARE_SOCKET:-}
	MP_WORKERS=${MP_WORKERS:-4}
	MP_MAX_REQUESTS=${MP_MAX_REQUESTS:-1000}
	MP_REQUEST_TIMEOUT=${MP_REQUEST_TIMEOUT:-30}
	MP_SHUTDOWN_TIMEOUT=${MP_SHUTDOWN_TIMEOUT:-10}
	MP_TEST_ROUTES=${MP_TEST_ROUTES:-0}
	MP_TENANT_CACHE_TTL=${MP_TENANT_CACHE_TTL:-60}
	MP_LOG_LEVEL=${MP_LOG_LEVEL:-info}
	MP_SMTP_PORT=${MP_SMTP_PORT:-}
	MP_SMS_PORT=${MP_SMS_PORT:-}
	# MP_PGBOUNCER=1: the pool and the worker reach PostgreSQL through a
	# PgBouncer in transaction mode (db_pooler = transaction); the worker's
	# LISTEN and mpanelctl still connect directly.
	MP_PGBOUNCER=${MP_PGBOUNCER:-0}
	MP_PGBOUNCER_POOL=${MP_PGBOUNCER_POOL:-8}
	MP_PGBOUNCER_PORT=${MP_PGBOUNCER_PORT:-}
	if [ "$MP_PGBOUNCER" = 1 ] && [ -z "$MP_PGBOUNCER_PORT" ]; then
		MP_PGBOUNCER_PORT=$(mp_free_port)
	fi
	MP_POOL_SERVERS=${MP_POOL_SERVERS:-}
}

# Write stack.env (export lines, shell-quoted) and export everything.
mp_save_env() {
	local v
	{
		echo "# Written by scripts/$MP_SCRIPT: the stack in this directory."
		for v in "${MP_ENV_VARS[@]}"; do
			printf 'export %s=%q\n' "$v" "${!v:-}"
		done
	} >"$MP_VAR/stack.env.tmp" && mv "$MP_VAR/stack.env.tmp" "$MP_VAR/stack.env"
	for v in "${MP_ENV_VARS[@]}"; do
		export "${v?}"
	done
}

# Load a stack described by stack.env (MP_VAR from the environment, else the
# checkout's var/).
mp_load_env() {
	local var=${MP_VAR:-}
	if [ -z "$var" ] && [ -n "${MP_CONF:-}" ]; then
		var=$(dirname -- "$MP_CONF")
	fi
	[ -n "$var" ] || var=$MP_SRC/var
	[ -f "$var/stack.env" ] || mp_die "no stack at $var (set MP_VAR, or start one with scripts/run)"
	# shellcheck disable=SC1091
	. "$var/stack.env"
}

# Create the directory layout; var itself stays owned by the invoker.
mp_make_dirs() {
	local d
	mkdir -p "$MP_VAR"
	chmod 0755 "$MP_VAR"
	for d in app brand cache pg run log tls nginx nginx/tmp nginx/extra extra; do
		mkdir -p "$MP_VAR/$d"
		mp_own "$MP_VAR/$d"
	done
	mkdir -p "$MP_MAILDIR"/{new,cur,tmp} "$MP_SMS_DIR"
	mkdir -p "$MP_PG_HOST"
	mp_own "$MP_PG_HOST"
	chmod 0700 "$MP_PG_HOST"
}

# ------------------------------------------------------------- processes

# Print the pid from a pid file when that process is alive (not a zombie)
# and its command line contains NAME; fail otherwise.
mp_pidfile_pid() {
	local f=$1 name=${2:-} pid
	[ -r "$f" ] || return 1
	read -r pid <"$f" 2>/dev/null || return 1
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	mp_pid_alive "$pid" || return 1
	if [ -n "$name" ]; then
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$name" ||
		    return 1
	fi
	printf '%s\n' "$pid"
}

mp_pid_alive() {
	local state
	[ -d "/proc/$1" ] || return 1
	state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)
	[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# Wait up to SECONDS for a pid to go away.
mp_wait_gone() {
	local pid=$1 t=$(( $2 * 10 ))
	while mp_pid_alive "$pid" && [ "$t" -gt 0 ]; do
		sleep 0.1
		t=$((t - 1))
	done
	! mp_pid_alive "$pid"
}

# Stop the process named by a pid file: SIGNAL, wait TIMEOUT seconds, then
# TERM, then KILL to its whole process group (each service runs in its own
# session, so the group is exactly it and its children).
mp_stop_pidfile() {
	local f=$1 name=$2 sig=${3:-TERM} timeout=${4:-10} pid
	if ! pid=$(mp_pidfile_pid "$f" "$name"); then
		rm -f "$f"
		return 0
	fi
	kill -s "$sig" "$pid" 2>/dev/null
	if ! mp_wait_gone "$pid" "$timeout"; then
		mp_warn "$name (pid $pid) still running after SIG$sig, sending TERM"
		kill -s TERM "$pid" 2>/dev/null
		if ! mp_wait_gone "$pid" 5; then
			mp_warn "$name (pid $pid) still running, sending KILL"
			# The group is the master and its children.
			kill -s KILL -- "-$pid" 2>/dev/null || kill -s KILL "$pid" 2>/dev/null
			mp_wait_gone "$pid" 2
		fi
	fi
	rm -f "$f"
}

# Start a long-running program as the service user in its own session, in the
# background, stdout/stderr appended to LOG.  Sets MP_SPAWNED (its pid).
# Usage: mp_spawn LOG [VAR=VALUE ...] PROGRAM ARGS...
mp_spawn() {
	local log=$1 MP_USER_CMD
	shift
	mp_touch_owned "$log"
	mp_user_cmd
	(
		cd "$MP_VAR" || exit 1
		exec setsid "${MP_USER_CMD[@]}" env "$@"
	) >>"$log" 2>&1 </dev/null 9>&- &
	MP_SPAWNED=$!
}

# Wait up to SECONDS for a pid file naming a live NAME process (and, if given,
# a unix socket); on failure show the end of LOG.  SPAWNED is the pid we
# started, to notice an early exit.
mp_wait_started() {
	local pidfile=$1 name=$2 spawned=$3 log=$4 secs=${5:-20} sock=${6:-} t
	t=$((secs * 10))
	while [ "$t" -gt 0 ]; do
		if mp_pidfile_pid "$pidfile" "$name" >/dev/null &&
		    { [ -z "$sock" ] || [ -S "$sock" ]; }; then
			return 0
		fi
		if [ -n "$spawned" ] && ! mp_pid_alive "$spawned"; then
			wait "$spawned" 2>/dev/null
			mp_warn "$name exited during start-up (status $?); end of $log:"
			tail -n 20 "$log" >&2
			return 1
		fi
		sleep 0.1
		t=$((t - 1))
	done
	mp_warn "$name did not start within ${secs}s; end of $log:"
	tail -n 20 "$log" >&2
	return 1
}

# ----------------------------------------------------------------- ports

mp_free_port() {
	"$MP_PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# Is anything listening on ADDR:PORT?  (bind test with SO_REUSEADDR)
mp_port_busy() {
	! "$MP_PY" -c 'import socket, sys
a = sys.argv[1].strip("[]")
s = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((a, int(sys.argv[2])))' "$1" "$2" 2>/dev/null
}

# ------------------------------------------------------------ PostgreSQL

mp_pg_ctl() {
	mp_as_user "$MP_PG_BINDIR/pg_ctl" -D "$MP_VAR/pg/data" "$@"
}

# psql as ROLE (default the superuser) on DB (default postgres).
mp_psql() {
	local role=${1:-$MP_SUPER_ROLE} db=${2:-postgres}
	shift 2 || shift $#
	mp_as_user "$MP_PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 \
	    -h "$MP_PG_HOST" -p "$MP_PG_PORT" -U "$role" -d "$db" "$@"
}

# initdb once; rewrite the stack's settings (socket dir, port) every time.
# MP_PG_FAST=1 (tests) trades durability for speed.
mp_pg_init() {
	local data=$MP_VAR/pg/data
	if [ ! -f "$data/PG_VERSION" ]; then
		mp_log "initdb $data"
		mkdir -p "$data"
		mp_own "$data"
		chmod 0700 "$data"
		mp_as_user "$MP_PG_BINDIR/initdb" -D "$data" -U "$MP_SUPER_ROLE" \
		    --auth=trust -E UTF8 --locale=C.UTF-8 --no-instructions \
		    >"$MP_LOG_DIR/initdb.log" 2>&1 ||
		    { cat "$MP_LOG_DIR/initdb.log" >&2; mp_die "initdb failed"; }
		echo "include_if_exists = 'mpanel-stack.conf'" >>"$data/postgresql.conf"
	fi
	{
		echo "# Written by scripts/lib.sh on every start."
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$MP_PG_HOST'"
		echo "unix_socket_permissions = 0700"
		echo "port = $MP_PG_PORT"
		echo "max_connections = 200"
		echo "log_line_prefix = '%m [%p] %q%u@%d '"
		echo "log_timezone = 'UTC'"
		echo "timezone = 'UTC'"
		# Where the time goes, per statement (scripts/stack psql:
		# CREATE EXTENSION pg_stat_statements; SELECT ... FROM
		# pg_stat_statements), when the server has the module.
		if [ -f "$MP_PG_BINDIR/../lib/pg_stat_statements.so" ]; then
			echo "shared_preload_libraries = 'pg_stat_statements'"
			echo "pg_stat_statements.track = all"
		fi
		if [ "${MP_PG_FAST:-0}" = 1 ]; then
			echo "fsync = off"
			echo "synchronous_commit = off"
			echo "full_page_writes = off"
		fi
	} >"$data/mpanel-stack.conf.tmp"
	mp_own "$data/mpanel-stack.conf.tmp"
	mv "$data/mpanel-stack.conf.tmp" "$data/mpanel-stack.conf"
}

mp_pg_running() {
	mp_pg_ctl status >/dev/null 2>&1
}

mp_pg_start() {
	if mp_pg_running; then
		return 0
	fi
	mp_touch_owned "$MP_LOG_DIR/postgresql.log"
	# pg_ctl starts the postmaster in its own session already.
	mp_pg_ctl -l "$MP_LOG_DIR/postgresql.log" -w -t 60 start >/dev/null ||
	    { tail -n 20 "$MP_LOG_DIR/postgresql.log" >&2; mp_die "PostgreSQL did not start"; }
}

mp_pg_stop() {
	local mode=${1:-fast}
	mp_pg_running || return 0
	mp_pg_ctl -m "$mode" -w -t 60 stop >/dev/null
}

# Roles and database: superuser "postgres" (initdb), mpanel_owner owning the
# database, mpanel_app owning nothing and unable to bypass row-level security,
# and mpanel_search (NOLOGIN BYPASSRLS) owning only the help-center search
# function (sql/migrations/0006_kb_search.sql); the owner is a member so its
# migrations can hand that function over.
mp_pg_roles() {
	mp_psql "$MP_SUPER_ROLE" postgres <<EOF
SELECT format('CREATE ROLE %I LOGIN', '$MP_OWNER_ROLE')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$MP_OWNER_ROLE') \\gexec
SELECT format('CREATE ROLE %I LOGIN', '$MP_APP_ROLE')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$MP_APP_ROLE') \\gexec
SELECT 'CREATE ROLE mpanel_search NOLOGIN'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mpanel_search') \\gexec
ALTER ROLE "$MP_OWNER_ROLE" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
ALTER ROLE "$MP_APP_ROLE" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
ALTER ROLE mpanel_search NOLOGIN NOSUPERUSER BYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
GRANT mpanel_search TO "$MP_OWNER_ROLE";
SELECT format('CREATE DATABASE %I OWNER %I ENCODING ''UTF8''', '$MP_DB', '$MP_OWNER_ROLE')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$MP_DB') \\gexec
EOF
}

# ------------------------------------------------- PgBouncer and replica

# A PgBouncer NAME in transaction mode on 127.0.0.1:PORT in front of the
# stack's PostgreSQL, with POOL server connections per user and database
# (default_pool_size).  PgBouncer refuses startup options, so what the pool
# would send as options is its connect_query here (client_min_messages,
# TimeZone), except statement_timeout: the worker shares the server
# connections and must not get the pool's limit.  Files: pgbouncer/NAME/,
# run/pgbouncer-NAME.pid, log/pgbouncer-NAME.log.
mp_pgbouncer_start() {
	local name=$1 port=$2 pool=${3:-8} bin
	bin=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
	[ -x "$bin" ] || mp_die "pgbouncer not found (Debian package pgbouncer)"
	mp_pgbouncer_stop "$name"
	mp_pgbouncer_conf "$name" 127.0.0.1 "$port" "$pool" "$MP_PG_HOST" "$MP_PG_PORT"
	mp_touch_owned "$MP_LOG_DIR/pgbouncer-$name.log"
	mp_spawn "$MP_LOG_DIR/pgbouncer-$name.out" "$bin" \
	    "$MP_VAR/pgbouncer/$name/pgbouncer.ini"
	mp_wait_started "$MP_VAR/run/pgbouncer-$name.pid" pgbouncer "$MP_SPAWNED" \
	    "$MP_LOG_DIR/pgbouncer-$name.out" 10 || return 1
	mp_wait_tcp "$port" 10
}

# Write pgbouncer/NAME/pgbouncer.ini: listen on ADDR:PORT, POOL server
# connections to PostgreSQL at DBHOST (a host or socket directory):DBPORT.
mp_pgbouncer_conf() {
	local name=$1 addr=$2 port=$3 pool=$4 dbhost=$5 dbport=$6 dir
	dir=$MP_VAR/pgbouncer/$name
	mkdir -p "$dir"
	mp_own "$MP_VAR/pgbouncer" "$dir"
	printf '"%s" ""\n' "$MP_APP_ROLE" >"$dir/userlist.txt"
	cat >"$dir/pgbouncer.ini" <<EOF
; Written by scripts/lib.sh: PgBouncer $name of the stack in $MP_VAR.
[databases]
$MP_DB = host=$dbhost port=$dbport dbname=$MP_DB connect_query='SET client_min_messages = warning; SET TimeZone = UTC'

[pgbouncer]
listen_addr = $addr
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
default_pool_size = $pool
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 1000
server_reset_query =
; After PostgreSQL restarts, log in again within a second (default 15 s),
; and never keep a client waiting for a server longer than a request may.
server_login_retry = 1
query_wait_timeout = 10
ignore_startup_parameters = extra_float_digits
logfile = $MP_LOG_DIR/pgbouncer-$name.log
pidfile = $MP_VAR/run/pgbouncer-$name.pid
log_connections = 0
log_disconnections = 0
stats_users = $MP_APP_ROLE
EOF
	mp_own "$dir/userlist.txt" "$dir/pgbouncer.ini"
}

mp_pgbouncer_stop() {
	mp_stop_pidfile "$MP_VAR/run/pgbouncer-$1.pid" pgbouncer "${2:-TERM}" 5
}

mp_pgbouncer_stop_all() {
	local f n
	for f in "$MP_VAR"/run/pgbouncer-*.pid; do
		[ -e "$f" ] || continue
		n=${f##*/pgbouncer-}
		mp_pgbouncer_stop "${n%.pid}"
	done
}

# A streaming replica of the stack's cluster (pg_basebackup -R) in
# pg/replica, on its own socket directory pg/replica-run and a free port,
# hot standby.  Prints the port (also written to pg/replica.port).
mp_replica_start() {
	local dir=$MP_VAR/pg/replica run=$MP_VAR/pg/replica-run port
	mp_replica_stop
	port=$(mp_free_port)
	rm -rf "$dir"
	mkdir -p "$dir" "$run"
	mp_own "$dir" "$run"
	chmod 0700 "$dir" "$run"
	mp_as_user "$MP_PG_BINDIR/pg_basebackup" -h "$MP_PG_HOST" -p "$MP_PG_PORT" \
	    -U "$MP_SUPER_ROLE" -D "$dir" -R -X stream -c fast \
	    >"$MP_LOG_DIR/replica-basebackup.log" 2>&1 ||
	    { cat "$MP_LOG_DIR/replica-basebackup.log" >&2; return 1; }
	{
		echo "# Written by scripts/lib.sh: the stack's read replica."
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$run'"
		echo "unix_socket_permissions = 0700"
		echo "port = $port"
		echo "max_connections = 200"
		echo "hot_standby = on"
		echo "hot_standby_feedback = on"
		echo "wal_receiver_status_interval = 1s"
		echo "log_line_prefix = '%m [%p] replica %q%u@%d '"
		echo "timezone = 'UTC'"
	} >"$dir/mpanel-stack.conf"
	mp_own "$dir/mpanel-stack.conf"
	mp_touch_owned "$MP_LOG_DIR/postgresql-replica.log"
	mp_as_user "$MP_PG_BINDIR/pg_ctl" -D "$dir" -l "$MP_LOG_DIR/postgresql-replica.log" \
	    -w -t 60 start >/dev/null ||
	    { tail -n 20 "$MP_LOG_DIR/postgresql-replica.log" >&2; return 1; }
	echo "$port" >"$MP_VAR/pg/replica.port"
	printf '%s\n' "$port"
}

mp_replica_stop() {
	local dir=$MP_VAR/pg/replica
	[ -f "$dir/PG_VERSION" ] || return 0
	mp_as_user "$MP_PG_BINDIR/pg_ctl" -D "$dir" status >/dev/null 2>&1 || return 0
	mp_as_user "$MP_PG_BINDIR/pg_ctl" -D "$dir" -m "${1:-fast}" -w -t 60 stop >/dev/null
}

# ------------------------------------------------------------------- TLS

# Self-signed EC P-256 certificate for localhost, *.localhost, 127.0.0.1, ::1
# (and the base domain when it is not localhost); renewed when it expires
# within a day.
mp_tls_cert() {
	local san="DNS:localhost,DNS:*.localhost,IP:127.0.0.1,IP:::1"
	if [ "$MP_BASE_DOMAIN" != localhost ]; then
		san="$san,DNS:$MP_BASE_DOMAIN,DNS:*.$MP_BASE_DOMAIN"
	fi
	if [ -s "$MP_TLS_CERT" ] && [ -s "$MP_TLS_KEY" ] &&
	    openssl x509 -in "$MP_TLS_CERT" -noout -checkend 86400 >/dev/null 2>&1 &&
	    openssl x509 -in "$MP_TLS_CERT" -noout -ext subjectAltName 2>/dev/null |
	    grep -qF "DNS:*.$MP_BASE_DOMAIN"; then
		return 0
	fi
	mp_log "creating a self-signed certificate in $MP_VAR/tls"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -days 397 -subj "/CN=$MP_BASE_DOMAIN" -addext "subjectAltName=$san" \
	    -keyout "$MP_TLS_KEY" -out "$MP_TLS_CERT" >/dev/null 2>&1 ||
	    mp_die "openssl could not create the certificate"
	chmod 0600 "$MP_TLS_KEY"
	chmod 0644 "$MP_TLS_CERT"
	mp_own "$MP_TLS_KEY" "$MP_TLS_CERT"
}

# ------------------------------------------------------------ the runtime

# Copy the three programs, templates/, static/, sql/ and data/ into var/app, owned by
# the service user (the checkout itself may be unreadable to it).
mp_copy_app() {
	local app=$MP_VAR/app new=$MP_VAR/app.new d
	rm -rf "$new"
	mkdir -p "$new/bin"
	cp -p "$MP_SRC/mpanel-fcgi" "$MP_SRC/mpanel-worker" "$MP_SRC/mpanelctl" "$new/bin/"
	for d in templates static sql data; do
		if [ -d "$MP_SRC/$d" ]; then
			cp -R "$MP_SRC/$d" "$new/$d"
		else
			mkdir -p "$new/$d"
		fi
	done
	if [ -n "${MP_BARE_BIN:-}" ]; then
		cp -p "$MP_BARE_BIN" "$new/bin/bare"
	fi
	mp_own -R "$new"
	rm -rf "$app"
	mv "$new" "$app"
}

# Write the pool/worker configuration to FILE (default MP_CONF).
# shellcheck disable=SC2120
mp_write_conf() {
	local out=${1:-$MP_CONF}
	local q="'"
	# The audit checkpoints' Ed25519 signing key and their directory.
	local akey=$MP_VAR/audit-signing.pem adir=$MP_VAR/audit-checkpoints
	if [ ! -f "$akey" ]; then
		openssl genpkey -algorithm ed25519 -out "$akey" || return 1
		mp_own "$akey"
		chmod 0600 "$akey"
	fi
	mkdir -p "$adir"
	mp_own "$adir"
	cat >"$out.tmp" <<EOF
# mPanel configuration of the stack in $MP_VAR.
# Written by scripts/$MP_SCRIPT on every start: edit the script (or set
# MPANEL_<KEY> in the environment), not this file.
listen = unix:$MP_POOL_SOCKET
listen_mode = 0660
listen_backlog = 128
workers = $MP_WORKERS
max_requests = $MP_MAX_REQUESTS
request_timeout = $MP_REQUEST_TIMEOUT
shutdown_timeout = $MP_SHUTDOWN_TIMEOUT
$(mp_conf_db)
admin_database_url = host=$q$MP_PG_HOST$q port=$MP_PG_PORT dbname=$MP_DB user=$MP_OWNER_ROLE application_name=mpanelctl
templates_dir = $MP_VAR/app/templates
static_dir = $MP_VAR/app/static
brand_dir = $MP_VAR/brand
cache_dir = $MP_VAR/cache
page_cache_links = $MP_VAR/cache/links
page_cache_count_log = $MP_LOG_DIR/nginx-cache-hits.log
sql_dir = $MP_VAR/app/sql
passwords_file = $MP_VAR/app/data/common-passwords.txt
base_domain = $MP_BASE_DOMAIN
public_origin = https://$MP_BASE_DOMAIN$(mp_port_suffix "$MP_HTTPS_PORT")
log_file = $MP_LOG_DIR/mpanel.log
access_log = $MP_LOG_DIR/mpanel-access.log
log_level = $MP_LOG_LEVEL
pid_file = $MP_POOL_PIDFILE
max_body = 1048576
max_fields = 200
max_field_len = 65536
max_path = 2048
max_json_depth = 32
tenant_cache_ttl = $MP_TENANT_CACHE_TTL
db_connect_timeout = 5
statement_timeout = 5000
smtp_url = smtp://127.0.0.1:$MP_SMTP_PORT
smtp_from = mPanel <noreply@$MP_BASE_DOMAIN>
sms_base_url = http://127.0.0.1:$MP_SMS_PORT
smtp_starttls = 1
smtp_ca_file = $MP_TLS_CERT
sms_account_sid = ACstack0000000000000000000000000000
sms_auth_token = stack-sms-token
sms_from = +15550100000
worker_concurrency = 4
test_routes = $MP_TEST_ROUTES
audit_signing_key = $akey
audit_checkpoint_dir = $adir
EOF
	mp_own "$out.tmp"
	chmod 0640 "$out.tmp"
	mv "$out.tmp" "$out"
}

# The pool's and worker's database keys: direct, or through PgBouncer with
# the worker's LISTEN session direct.
mp_conf_db() {
	local q="'" direct
	direct="host=$q$MP_PG_HOST$q port=$MP_PG_PORT dbname=$MP_DB user=$MP_APP_ROLE application_name=mpanel"
	if [ "${MP_PGBOUNCER:-0}" = 1 ]; then
		echo "database_url = host=127.0.0.1 port=$MP_PGBOUNCER_PORT dbname=$MP_DB user=$MP_APP_ROLE application_name=mpanel"
		echo "db_pooler = transaction"
		echo "listen_database_url = $direct"
	else
		echo "database_url = $direct"
	fi
}

# ":PORT", or nothing for 443.
mp_port_suffix() {
	[ "$1" = 443 ] || printf ':%s' "$1"
}

# Run mpanelctl as the service user with the stack's config.
mp_ctl() {
	mp_as_user "$MP_VAR/app/bin/mpanelctl" -c "$MP_CONF" "$@"
}

# ------------------------------------------------------- mail and SMS

# The SMTP catcher (aiosmtpd, STARTTLS with the stack's certificate, mail
# stored in MP_MAILDIR) and the SMS provider stand-in (MP_SMS_DIR).  They run
# as the invoking user: they are test fixtures, not part of the product.
mp_catchers_start() {
	local helpers=$MP_SRC/tests/integration/helpers.py
	[ -f "$helpers" ] || { mp_warn "no $helpers: mail and SMS are not caught"; return 0; }
	mp_catcher_stop
	# smtp_catcher.py also files each message under mail/<tenant>/.
	( exec setsid "$MP_PY" "$MP_SRC/tests/integration/smtp_catcher.py" \
	    --port "$MP_SMTP_PORT" --maildir "$MP_MAILDIR" \
	    --cert "$MP_TLS_CERT" --key "$MP_TLS_KEY" \
	) >>"$MP_LOG_DIR/smtp.log" 2>&1 </dev/null 9>&- &
	echo $! >"$MP_VAR/run/smtp.pid"
	( exec setsid "$MP_PY" "$helpers" sms --port "$MP_SMS_PORT" \
	    --dir "$MP_SMS_DIR" ) >>"$MP_LOG_DIR/sms.log" 2>&1 </dev/null 9>&- &
	echo $! >"$MP_VAR/run/sms.pid"
}

mp_catcher_stop() {
	mp_stop_pidfile "$MP_VAR/run/smtp.pid" smtp_catcher.py TERM 5
	mp_stop_pidfile "$MP_VAR/run/sms.pid" helpers.py TERM 5
}

# ------------------------------------------------------------------ pool

# Start the pool with CONF (default MP_CONF), pid file PIDFILE, and wait for
# its socket.  Any live pool from that pid file is stopped first.
mp_pool_start() {
	local conf=${1:-$MP_CONF} pidfile=${2:-$MP_POOL_PIDFILE} sock=${3:-$MP_POOL_SOCKET}
	local log=${4:-$MP_LOG_DIR/mpanel-fcgi.out}
	mp_stop_pidfile "$pidfile" mpanel-fcgi QUIT "$((MP_SHUTDOWN_TIMEOUT + 5))"
	mp_spawn "$log" "$MP_VAR/app/bin/mpanel-fcgi" -c "$conf"
	mp_wait_started "$pidfile" mpanel-fcgi "$MP_SPAWNED" "$log" 20 "$sock"
}

mp_pool_stop() {
	local pidfile=${1:-$MP_POOL_PIDFILE} sig=${2:-QUIT}
	mp_stop_pidfile "$pidfile" mpanel-fcgi "$sig" "$((MP_SHUTDOWN_TIMEOUT + 5))"
}

mp_worker_start() {
	local log=$MP_LOG_DIR/mpanel-worker.out
	mp_stop_pidfile "$MP_WORKER_PIDFILE" mpanel-worker QUIT "$((MP_SHUTDOWN_TIMEOUT + 5))"
	mp_spawn "$log" MPANEL_PID_FILE="$MP_WORKER_PIDFILE" \
	    MPANEL_LOG_FILE="$MP_LOG_DIR/mpanel-worker.log" \
	    "$MP_VAR/app/bin/mpanel-worker" -c "$MP_CONF"
	mp_wait_started "$MP_WORKER_PIDFILE" mpanel-worker "$MP_SPAWNED" "$log" 20
}

mp_worker_stop() {
	mp_stop_pidfile "$MP_WORKER_PIDFILE" mpanel-worker "${1:-QUIT}" \
	    "$((MP_SHUTDOWN_TIMEOUT + 5))"
}

# ----------------------------------------------------------------- nginx

# Escape a value for the right-hand side of a sed s||| command.
mp_sed_escape() {
	printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'
}

# Render nginx/mpanel.conf.in to OUT.  Blocks between "#@BEGIN X@" and
# "#@END X@" markers are kept when X is listed in KEEP (space separated),
# else dropped.  Variables come from MP_* plus the NG_* set by the caller:
# NG_UPSTREAM, NG_SOCKET, NG_HTTPS_PORT, NG_ACCESS_LOG, NG_WORKERS (the
# pool's responders).  MP_NGINX_SRC (default the checkout's nginx/) and
# MP_STATIC_DIR (default app/static) let scripts/distcheck use installed
# copies instead.
mp_nginx_render() {
	local out=$1 keep=" $2 " blk v
	# shellcheck disable=SC2153
	# No upstream keepalive by default: a libfcgi responder serves one
	# connection at a time, so a connection nginx keeps idle holds a
	# responder while new connections wait in the listen queue (seconds of
	# tail latency under load), and a responder leaving on HUP races
	# nginx's reuse of its connection (a failed POST).  A new unix-socket
	# connection per request costs far less.  MP_UPSTREAM_KEEPALIVE=N
	# turns it back on, for measuring.
	local sedargs=() ka=${MP_UPSTREAM_KEEPALIVE:-0}
	[ "$ka" -gt 0 ] && keep="$keep KEEPALIVE "
	for blk in SHARED REDIRECT BENCH IPV6 KEEPALIVE; do
		if [[ $keep == *" $blk "* ]]; then
			sedargs+=(-e "/#@BEGIN $blk@/d" -e "/#@END $blk@/d")
		else
			sedargs+=(-e "/#@BEGIN $blk@/,/#@END $blk@/d")
		fi
	done
	local -A vars=(
		[LISTEN_ADDR]=$MP_LISTEN_ADDR
		[LISTEN_ADDR6]=$MP_LISTEN_ADDR6
		[HTTPS_PORT]=$NG_HTTPS_PORT
		[HTTP_PORT]=$MP_HTTP_PORT
		[HTTPS_PORT_SUFFIX]=$(mp_port_suffix "$NG_HTTPS_PORT")
		[SERVER_NAME]=_
		[TLS_CERT]=$MP_TLS_CERT
		[TLS_KEY]=$MP_TLS_KEY
		[CONF_DIR]=$MP_VAR/nginx
		[STATIC_DIR]=${MP_STATIC_DIR:-$MP_VAR/app/static}
		[BRAND_DIR]=$MP_VAR/brand
		[UPSTREAM]=$NG_UPSTREAM
		[POOL_SERVERS]=$(mp_pool_servers "$NG_SOCKET" "${NG_SERVERS:-}")
		[UPSTREAM_KEEPALIVE]=$(( ka > 0 ? ka : 1 ))
		[FCGI_KEEP_CONN]=$( [ "$ka" -gt 0 ] && echo on || echo off )
		[MAX_BODY]=1m
		[FCGI_READ_TIMEOUT]=$(( MP_REQUEST_TIMEOUT + 5 ))s
		[POST_RATE]=$MP_POST_RATE
		[POST_BURST]=$MP_POST_BURST
		[BARE_SOCKET]=unix:${MP_BARE_SOCKET:-/nonexistent}
		[ACCESS_LOG]=$NG_ACCESS_LOG
		[PAGE_CACHE_DIR]=$MP_VAR/nginx/cache
		[PAGE_CACHE_LINKS]=$MP_VAR/cache/links
		[COUNT_LOG]=$MP_LOG_DIR/nginx-cache-hits.log
	)
	for v in "${!vars[@]}"; do
		sedargs+=(-e "s|@$v@|$(mp_sed_escape "${vars[$v]}")|g")
	done
	sed "${sedargs[@]}" "${MP_NGINX_SRC:-$MP_SRC/nginx}/mpanel.conf.in" \
	    >"$out.tmp" || return 1
	if grep -v '^[[:space:]]*#' "$out.tmp" | grep '@[A-Z_0-9]*@' >&2; then
		mp_warn "unfilled variables in $out"
		return 1
	fi
	mp_own "$out.tmp"
	mv "$out.tmp" "$out"
}

# The upstream's server lines: "server SOCKET;" for one local pool, else one
# line per entry of LIST (comma-separated "host:port" or "host:port backup",
# MP_POOL_SERVERS), with max_fails and fail_timeout from MP_POOL_MAX_FAILS
# (default 1) and MP_POOL_FAIL_TIMEOUT (default 10s), all on one line.
mp_pool_servers() {
	local socket=$1 list=$2 out='' e addr ents
	if [ -z "$list" ]; then
		printf 'server %s;' "$socket"
		return 0
	fi
	IFS=, read -ra ents <<<"$list"
	for e in "${ents[@]}"; do
		read -r addr e <<<"$e"
		[ -n "$addr" ] || continue
		out="$out server $addr max_fails=${MP_POOL_MAX_FAILS:-1}"
		out="$out fail_timeout=${MP_POOL_FAIL_TIMEOUT:-10s}${e:+ $e};"
	done
	printf '%s' "${out# }"
}

# The private nginx: nginx.conf (process-level settings for a non-root nginx
# with everything under var/), the snippets, and mpanel.conf rendered from
# nginx/mpanel.conf.in.
mp_nginx_config() {
	local n=$MP_VAR/nginx keep="SHARED REDIRECT" f
	[ -n "$MP_LISTEN_ADDR6" ] && keep="$keep IPV6"
	[ -n "$MP_BARE_SOCKET" ] && keep="$keep BENCH"
	for f in "${MP_NGINX_SRC:-$MP_SRC/nginx}"/*.conf; do
		[ -e "$f" ] && cp "$f" "$n/"
	done
	cp /etc/nginx/mime.types "$n/mime.types"
	mkdir -p "$n/tmp" "$n/extra"
	NG_UPSTREAM=mpanel NG_SOCKET=unix:$MP_POOL_SOCKET NG_HTTPS_PORT=$MP_HTTPS_PORT \
	NG_SERVERS=${MP_POOL_SERVERS:-} \
	NG_ACCESS_LOG=$MP_LOG_DIR/nginx-access.log NG_WORKERS=$MP_WORKERS \
	    mp_nginx_render "$n/mpanel.conf" "$keep" || return 1
	cat >"$n/nginx.conf" <<EOF
# Private nginx of the stack in $MP_VAR, written by scripts/lib.sh.
# Runs as the service user; everything it writes is under $MP_VAR.
worker_processes 1;
pid $MP_NGINX_PIDFILE;
error_log $MP_LOG_DIR/nginx-error.log warn;

events {
	worker_connections 1024;
}

http {
	include $n/mime.types;
	default_type application/octet-stream;
	client_body_temp_path $n/tmp/body;
	fastcgi_temp_path $n/tmp/fastcgi;
	proxy_temp_path $n/tmp/proxy;
	scgi_temp_path $n/tmp/scgi;
	uwsgi_temp_path $n/tmp/uwsgi;
	sendfile on;
	tcp_nopush on;
	keepalive_timeout 65s;

	include $n/mpanel.conf;
	include $n/extra/*.conf;
}
EOF
	mp_own -R "$n"
}

mp_nginx() {
	mp_as_user "$(mp_nginx_bin)" -p "$MP_VAR/nginx/" -c "$MP_NGINX_CONF" \
	    -e "$MP_LOG_DIR/nginx-error.log" "$@"
}

mp_nginx_test() {
	mp_nginx -t -q 2>&1 | grep -v 'the "user" directive' >&2
	return "${PIPESTATUS[0]}"
}

mp_nginx_start() {
	local p
	mp_touch_owned "$MP_LOG_DIR/nginx-error.log"
	mp_stop_pidfile "$MP_NGINX_PIDFILE" nginx QUIT 10
	for p in "$MP_HTTPS_PORT" "$MP_HTTP_PORT"; do
		mp_port_busy "$MP_LISTEN_ADDR" "$p" &&
		    mp_die "port $p on $MP_LISTEN_ADDR is in use (set MP_HTTPS_PORT / MP_HTTP_PORT)"
	done
	mp_nginx_test || mp_die "nginx -t failed for $MP_NGINX_CONF"
	# nginx daemonizes itself (its own session) and writes the pid file.
	mp_nginx || { tail -n 5 "$MP_LOG_DIR/nginx-error.log" >&2; mp_die "nginx did not start"; }
	mp_wait_started "$MP_NGINX_PIDFILE" nginx "" "$MP_LOG_DIR/nginx-error.log" 10
}

mp_nginx_stop() {
	mp_stop_pidfile "$MP_NGINX_PIDFILE" nginx "${1:-QUIT}" 10
}

# Check the config, then HUP the master (graceful: new workers, old ones
# finish their requests).
mp_nginx_reload() {
	local pid
	mp_nginx_test || return 1
	pid=$(mp_pidfile_pid "$MP_NGINX_PIDFILE" nginx) || { mp_warn "nginx is not running"; return 1; }
	kill -s HUP "$pid"
	sleep 0.3
}

# An extra nginx server on its own free HTTPS port, in front of the FastCGI
# socket SOCKET (unix:/path or host:port) served by WORKERS processes, or of
# the upstream SERVERS (as MP_POOL_SERVERS) when given.  Prints the port.
mp_nginx_extra() {
	local name=$1 socket=$2 workers=$3 servers=${4:-} port out
	port=$(mp_free_port)
	out=$MP_VAR/nginx/extra/$name.conf
	NG_SERVERS=$servers \
	NG_UPSTREAM=mpanel_x_${name//[^A-Za-z0-9_]/_} NG_SOCKET=$socket NG_HTTPS_PORT=$port \
	NG_ACCESS_LOG=$MP_LOG_DIR/nginx-access-$name.log NG_WORKERS=$workers \
	    mp_nginx_render "$out" "" || return 1
	if ! mp_nginx_reload; then
		rm -f "$out"
		return 1
	fi
	mp_wait_https "$port" /healthz/live 10 >/dev/null 2>&1 ||
	    mp_wait_tcp "$port" 10 || return 1
	printf '%s\n' "$port"
}

mp_wait_tcp() {
	local port=$1 t=$(( ${2:-10} * 10 ))
	while [ "$t" -gt 0 ]; do
		"$MP_PY" -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$1" \
		    2>/dev/null && return 0
		sleep 0.1
		t=$((t - 1))
	done
	return 1
}

# Poll https://127.0.0.1:PORT/PATH until it answers 200 (SECONDS).  HOST is
# the Host header (default the base domain).
mp_wait_https() {
	local port=$1 path=$2 secs=${3:-20} host=${4:-$MP_BASE_DOMAIN} code t
	t=$((secs * 5))
	while [ "$t" -gt 0 ]; do
		code=$(curl -sk --max-time 2 -o /dev/null -w '%{http_code}' \
		    -H "Host: $host" "https://127.0.0.1:$port$path" 2>/dev/null) || true
		[ "$code" = 200 ] && return 0
		sleep 0.2
		t=$((t - 1))
	done
	printf 'https://127.0.0.1:%s%s (Host: %s) answered %s\n' "$port" "$path" "$host" "${code:-nothing}" >&2
	return 1
}

# ------------------------------------------------------------ extra pools

# Start an extra pool NAME from the stack's config with KEY=VALUE overrides,
# on its own socket and pid file, behind its own nginx server.  Prints the
# HTTPS port.  Files: extra/NAME/mpanel.conf, run/extra-NAME.{sock,pid},
# log/extra-NAME.log.
mp_pool_extra() {
	local name=$1 dir conf kv key port workers listen sock
	shift
	[[ $name =~ ^[A-Za-z0-9_-]+$ ]] || mp_die "pool-extra: bad name '$name'"
	dir=$MP_VAR/extra/$name
	conf=$dir/mpanel.conf
	mkdir -p "$dir"
	mp_own "$dir"
	{
		grep -vE '^(listen|pid_file|log_file|access_log)[[:space:]]*=' "$MP_CONF"
		echo "listen = unix:$MP_VAR/run/extra-$name.sock"
		echo "pid_file = $MP_VAR/run/extra-$name.pid"
		echo "log_file = $MP_LOG_DIR/extra-$name.log"
		echo "access_log = $MP_LOG_DIR/extra-$name-access.log"
	} >"$conf.tmp"
	for kv in "$@"; do
		[[ $kv == *=* ]] || mp_die "pool-extra: expected KEY=VALUE, got '$kv'"
		key=${kv%%=*}
		key=${key//[[:space:]]/}
		grep -vE "^${key}[[:space:]]*=" "$conf.tmp" >"$conf.tmp2"
		printf '%s = %s\n' "$key" "${kv#*=}" >>"$conf.tmp2"
		mv "$conf.tmp2" "$conf.tmp"
	done
	mp_own "$conf.tmp"
	mv "$conf.tmp" "$conf"
	# listen=HOST:PORT among the overrides: a pool on TCP, as on another host.
	listen=$(sed -n 's/^listen[[:space:]]*=[[:space:]]*//p' "$conf" | tail -n 1)
	sock=
	[[ $listen == unix:* ]] && sock=${listen#unix:}
	mp_pool_start "$conf" "$MP_VAR/run/extra-$name.pid" \
	    "$sock" "$MP_LOG_DIR/extra-$name.out" >&2 || return 1
	[ -n "$sock" ] || mp_wait_tcp "${listen##*:}" 10 || return 1
	workers=$(sed -n 's/^workers[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p' "$conf" | tail -n 1)
	port=$(mp_nginx_extra "$name" "$listen" "${workers:-$MP_WORKERS}") || return 1
	echo "$port" >"$dir/https_port"
	printf '%s\n' "$port"
}

mp_pool_extra_stop() {
	local name=$1
	rm -f "$MP_VAR/nginx/extra/$name.conf"
	mp_nginx_reload >/dev/null 2>&1 || true
	mp_pool_stop "$MP_VAR/run/extra-$name.pid" "${2:-QUIT}"
	rm -rf "$MP_VAR/extra/$name"
}

mp_pool_extra_stop_all() {
	local d
	for d in "$MP_VAR"/extra/*/; do
		[ -d "$d" ] || continue
		d=${d%/}
		mp_pool_extra_stop "${d##*/}" TERM
	done
}

# ------------------------------------------------------------ whole stack

# Everything from an empty (or previously used) MP_VAR to a serving stack.
# The caller has set MP_VAR, the ports and any MP_* tuning, and sourced us.
mp_stack_up() {
	mp_stack_defaults
	mp_make_dirs
	[ -n "$MP_SMTP_PORT" ] || MP_SMTP_PORT=$(mp_free_port)
	[ -n "$MP_SMS_PORT" ] || MP_SMS_PORT=$(mp_free_port)
	mp_save_env
	# Leftovers of an earlier run that was not stopped cleanly.
	mp_stack_down quiet
	mp_pg_init
	mp_pg_start
	mp_pg_roles || mp_die "could not create the database roles"
	if [ "${MP_PGBOUNCER:-0}" = 1 ]; then
		mp_log "starting PgBouncer (transaction mode, pool ${MP_PGBOUNCER_POOL})"
		mp_pgbouncer_start main "$MP_PGBOUNCER_PORT" "$MP_PGBOUNCER_POOL" ||
		    mp_die "PgBouncer did not start (logs in $MP_LOG_DIR)"
	fi
	mp_tls_cert
	mp_copy_app
	mp_write_conf "$MP_CONF"
	mp_log "mpanelctl migrate"
	mp_ctl migrate || mp_die "mpanelctl migrate failed"
	mp_log "mpanelctl seed-demo"
	mp_ctl seed-demo || mp_die "mpanelctl seed-demo failed"
	mp_catchers_start
	mp_log "starting the pool"
	mp_pool_start || mp_die "the pool did not start (logs in $MP_LOG_DIR)"
	mp_log "starting the worker"
	mp_worker_start || mp_die "the worker did not start (logs in $MP_LOG_DIR)"
	if [ -n "$MP_BARE_SOCKET" ]; then
		mp_bare_start || mp_die "the bare responder did not start"
	fi
	mp_log "starting nginx"
	mp_nginx_config || mp_die "could not write the nginx config"
	mp_nginx_start
	mp_wait_https "$MP_HTTPS_PORT" /healthz/live 20 ||
	    mp_die "nginx -> pool does not answer /healthz/live (logs in $MP_LOG_DIR)"
}

# Stop everything of the stack, in order: nginx, extra pools, pool, worker,
# catchers, bare responder, PostgreSQL.  "quiet" silences warnings.
mp_stack_down() {
	if [ "${1:-}" = quiet ]; then
		mp_stack_down_ 2>/dev/null
	else
		mp_stack_down_
	fi
}

mp_stack_down_() {
	mp_nginx_stop QUIT
	mp_pool_extra_stop_all
	mp_pool_stop "$MP_POOL_PIDFILE" QUIT
	mp_worker_stop QUIT
	mp_catcher_stop
	mp_stop_pidfile "$MP_VAR/run/bare.pid" bare TERM 5
	mp_pgbouncer_stop_all
	mp_replica_stop fast || mp_replica_stop immediate
	if [ -d "$MP_VAR/pg/data" ]; then
		mp_pg_stop fast || mp_pg_stop immediate
	fi
	return 0
}

# The bench baseline: tests/bench/bare, copied into app/bin, on MP_BARE_SOCKET
# with as many processes as the pool has responders.
mp_bare_start() {
	local log=$MP_LOG_DIR/bare.out
	[ -x "$MP_VAR/app/bin/bare" ] || { mp_warn "no bare responder in $MP_VAR/app/bin"; return 1; }
	mp_stop_pidfile "$MP_VAR/run/bare.pid" bare TERM 5
	rm -f "$MP_BARE_SOCKET"
	mp_spawn "$log" "$MP_VAR/app/bin/bare" -n "$MP_WORKERS" -p "$MP_VAR/run/bare.pid" "$MP_BARE_SOCKET"
	mp_wait_started "$MP_VAR/run/bare.pid" bare "$MP_SPAWNED" "$log" 10 "$MP_BARE_SOCKET"
}
