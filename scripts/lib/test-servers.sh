# Sourced by scripts/test and scripts/bench-distributed: starts the servers the suites need —
# a throwaway PostgreSQL cluster and the S3 double — in a temporary directory, exports where they
# are, and stops them when the calling script exits, also on failure.

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Exports the `export CORGI_TEST_…=VALUE` lines a start command printed, without eval: nothing
# but those names can be set, and a value is never run.
export_lines() {
    local line
    while IFS= read -r line; do
        [[ -z $line ]] && continue
        if [[ $line =~ ^export\ (CORGI_TEST_[A-Z0-9_]+)=(.*)$ ]]; then
            export "${BASH_REMATCH[1]}=${BASH_REMATCH[2]}"
        else
            echo "test-servers: unexpected line from a server start: ${line%%=*}" >&2
            return 1
        fi
    done <<<"$1"
}

start_test_servers() {
    test_servers="$(mktemp -d /tmp/corgi-test-servers.XXXXXX)"
    chmod 755 "$test_servers"  # PostgreSQL runs as its own user below it
    trap stop_test_servers EXIT
    local postgres s3
    # Assigned first: a failed start inside "$(…)" would otherwise pass unseen by set -e.
    postgres="$(scripts/postgres start "$test_servers/postgres" "$(free_port)")"
    s3="$(scripts/s3-test-server start "$test_servers/s3" "$(free_port)")"
    export_lines "$postgres"
    export_lines "$s3"
}

stop_test_servers() {
    scripts/postgres stop "$test_servers/postgres" >/dev/null 2>&1 || true
    scripts/s3-test-server stop "$test_servers/s3" >/dev/null 2>&1 || true
    rm -rf "$test_servers"
}
