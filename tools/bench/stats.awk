# tools/bench/stats.awk - the awk functions the benchmark tables share:
# prepended to a table's program ("$(cat tools/bench/stats.awk)"'...'),
# which any awk (mawk too) takes as one program.

# The value of key=VALUE among a line's space-separated fields, or "".
function kv(line, key,   re, m) {
    re = "(^| )" key "=[^ ]*"
    if (match(line, re)) { m = substr(line, RSTART, RLENGTH); sub(/^ /, "", m); sub(/^[^=]*=/, "", m); return m }
    return ""
}
# One more measurement v of figure fig for server srv; median() of them.
function add(fig, srv, v) { if (v != "") { n[fig, srv]++; val[fig, srv, n[fig, srv]] = v + 0 } }
function median(fig, srv,   k, i, j, t, a) {
    k = n[fig, srv]; if (!k) return ""
    for (i = 1; i <= k; i++) a[i] = val[fig, srv, i]
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
function fmt(v, d) { return v == "" ? "-" : sprintf("%." d "f", v) }
function ratio(a, b) { return (a == "" || b == "" || b == 0) ? "-" : sprintf("%.2f", a / b) }
