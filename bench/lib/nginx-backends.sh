# nginx-backends.sh — sourced by bench scripts: two loopback nginx backends that answer "hello" to every request.
# start_nginx_backends RUN PORT1 PORT2: writes RUN/be1.conf and RUN/be2.conf (RUN/tmp must exist, writable by
# nginx's worker user), starts both in the foreground of a background job and appends their pids to the caller's
# PIDS array, which the caller's cleanup stops by pid.
start_nginx_backends() {
  local run=$1 n port
  for n in 1 2; do
    port=$2; [ "$n" = 2 ] && port=$3
    cat > "$run/be$n.conf" <<EOC
worker_processes 1;
worker_rlimit_nofile 20000;
pid $run/be$n.pid;
error_log $run/be$n.err warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $run/tmp/b$n; proxy_temp_path $run/tmp/p$n;
  fastcgi_temp_path $run/tmp/f$n; uwsgi_temp_path $run/tmp/u$n; scgi_temp_path $run/tmp/s$n;
  keepalive_requests 100000000; keepalive_timeout 75s; default_type text/plain;
  server { listen 127.0.0.1:$port backlog=4096; location / { return 200 "hello"; } }
}
EOC
    nginx -p "$run" -e "$run/be$n.err" -c "$run/be$n.conf" -g 'daemon off;' &
    PIDS+=($!)
  done
}
