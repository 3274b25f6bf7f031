/*
 * fn_url.c - URL functions (ksqlDB's URL category).
 *
 * ksqlDB parses with java.net.URI (RFC 2396 plus Java's deviations), and its quirks show in
 * results: a host with an underscore makes the authority "registry based" (no host, no
 * port), "localhost:8080/x" is an opaque URI with scheme "localhost", components are
 * percent-decoded by the getters except the host.  No C library we link has that parser, so
 * this file carries a small one that follows java.net.URI.Parser step by step.
 * URL_ENCODE_PARAM/URL_DECODE_PARAM follow URLEncoder/URLDecoder (form encoding, '+' for
 * space).  Invalid syntax is WR_EDATA ("URL input has invalid syntax: ...").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fn_sig.h"
#include "func.h"

/* ---------------------------------------------------------------- character classes */

#define C_ALPHA "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define C_DIGIT "0123456789"
#define C_ALNUM C_ALPHA C_DIGIT
#define C_MARK "-_.!~*'()"
#define C_UNRESERVED C_ALNUM C_MARK
#define C_RESERVED ";/?:@&=+$,[]"
#define C_URIC C_RESERVED C_UNRESERVED
#define C_PCHAR C_UNRESERVED ":@&=+$,"
#define C_PATH C_PCHAR ";/"
#define C_USERINFO C_UNRESERVED ";:&=+$,"
#define C_REG_NAME C_UNRESERVED "$,;:@&=+"
#define C_SERVER C_USERINFO C_ALNUM "-" ".:@[]"
#define C_SCHEME C_ALNUM "+-."

typedef struct uri_parser {
    const char *s;
    size_t n;
    int failed;
    /* components: start/len, len (size_t)-1 when absent */
    size_t scheme_at, scheme_len;
    size_t host_at, host_len;
    size_t path_at, path_len;
    size_t query_at, query_len;
    size_t frag_at, frag_len;
    long port; /* -1 when absent */
} uri_parser;

#define ABSENT ((size_t)-1)

static int in_class(unsigned char c, const char *cls)
{
    return c && c < 0x80 && strchr(cls, c) != NULL;
}

static int is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Scans chars of class cls from p (escapes "%XX" and visible non-ASCII allowed when
 * `escaped`); returns the first position that does not belong.  A malformed escape fails. */
static size_t scan_class(uri_parser *u, size_t p, size_t end, const char *cls, int escaped)
{
    while (p < end) {
        unsigned char c = (unsigned char)u->s[p];
        if (in_class(c, cls)) {
            p++;
            continue;
        }
        if (escaped && c == '%') {
            if (p + 3 <= end && is_hex((unsigned char)u->s[p + 1]) &&
                is_hex((unsigned char)u->s[p + 2])) {
                p += 3;
                continue;
            }
            u->failed = 1;
            return p;
        }
        if (escaped && c >= 0x80) {
            /* visible non-ASCII characters pass (Java: not a space or ISO control char) */
            size_t q = p;
            int32_t cp = utf8_next(u->s, end, &q);
            if (cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
                cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000 ||
                (cp >= 0x80 && cp <= 0x9F))
                return p;
            p = q;
            continue;
        }
        return p;
    }
    return p;
}

/* Checks that [p, end) is entirely of class cls. */
static void check_class(uri_parser *u, size_t p, size_t end, const char *cls, int escaped)
{
    if (scan_class(u, p, end, cls, escaped) < end)
        u->failed = 1;
}

/* First position in [p, end) holding a char of `stop`, or end; if a char of `err` comes
 * first, ABSENT. */
static size_t scan_stop(const uri_parser *u, size_t p, size_t end, const char *err,
                        const char *stop)
{
    for (; p < end; p++) {
        char c = u->s[p];
        if (strchr(err, c) && c)
            return ABSENT;
        if (strchr(stop, c) && c)
            return p;
    }
    return end;
}

static int at(const uri_parser *u, size_t p, char c)
{
    return p < u->n && u->s[p] == c;
}

/* IPv4 dotted quad [p, end); returns the end position or ABSENT. */
static size_t parse_ipv4(const uri_parser *u, size_t p, size_t end)
{
    for (int k = 0; k < 4; k++) {
        size_t q = p;
        int v = 0;
        while (q < end && u->s[q] >= '0' && u->s[q] <= '9' && q - p < 4)
            v = v * 10 + (u->s[q++] - '0');
        if (q == p || q - p > 3 || v > 255)
            return ABSENT;
        p = q;
        if (k < 3) {
            if (!at(u, p, '.'))
                return ABSENT;
            p++;
        }
    }
    if (p < end && u->s[p] != ':')
        return ABSENT;
    return p;
}

/* Java's parseHostname; returns the end position or ABSENT on failure. */
static size_t parse_hostname(const uri_parser *u, size_t start, size_t end)
{
    size_t p = start, l = ABSENT;
    do {
        size_t q = p;
        while (q < end && in_class((unsigned char)u->s[q], C_ALNUM))
            q++;
        if (q <= p)
            break;
        l = p;
        p = q;
        while (q < end && in_class((unsigned char)u->s[q], C_ALNUM "-"))
            q++;
        if (q > p) {
            if (u->s[q - 1] == '-')
                return ABSENT;
            p = q;
        }
        if (!at(u, p, '.') || p >= end)
            break;
        p++;
    } while (p < end);
    if (p < end && u->s[p] != ':')
        return ABSENT;
    if (l == ABSENT)
        return ABSENT;
    if (l > start && !in_class((unsigned char)u->s[l], C_ALPHA))
        return ABSENT;
    return p;
}

/* Server-based authority [user@]host[:port] over [p, end): 0, or -1 when it does not parse
 * as one (the caller then tries a registry-based authority). */
static int parse_server(uri_parser *u, size_t p, size_t end)
{
    size_t q = scan_stop(u, p, end, "/?#", "@");
    if (q != ABSENT && q < end && u->s[q] == '@') {
        uri_parser probe = *u;
        check_class(&probe, p, q, C_USERINFO, 1);
        if (probe.failed)
            return -1;
        p = q + 1;
    }
    size_t host_start = p;
    if (at(u, p, '[')) {
        q = p + 1;
        while (q < end && (is_hex((unsigned char)u->s[q]) || u->s[q] == ':' || u->s[q] == '.' ||
                           u->s[q] == '%'))
            q++;
        if (!at(u, q, ']') || q >= end)
            return -1;
        p = q + 1;
    } else {
        q = parse_ipv4(u, p, end);
        if (q == ABSENT)
            q = parse_hostname(u, p, end);
        if (q == ABSENT)
            return -1;
        p = q;
    }
    size_t host_end = p;
    long port = -1;
    if (p < end && u->s[p] == ':') {
        p++;
        q = p;
        while (q < end && u->s[q] >= '0' && u->s[q] <= '9')
            q++;
        if (q > p) {
            if (q - p > 9)
                return -1;
            port = strtol(u->s + p, NULL, 10);
        }
        p = q;
    }
    if (p < end)
        return -1;
    u->host_at = host_start;
    u->host_len = host_end - host_start;
    u->port = port;
    return 0;
}

static void parse_authority(uri_parser *u, size_t p, size_t end)
{
    uri_parser probe = *u;
    int server_chars = scan_class(&probe, p, end, C_SERVER, 1) == end && !probe.failed;
    probe = *u;
    int reg_chars = scan_class(&probe, p, end, C_REG_NAME, 1) == end && !probe.failed;
    if (server_chars && parse_server(u, p, end) == 0)
        return;
    u->host_at = ABSENT;
    u->port = -1;
    if (!reg_chars)
        u->failed = 1;
}

static size_t parse_hierarchical(uri_parser *u, size_t p)
{
    size_t n = u->n;
    if (at(u, p, '/') && at(u, p + 1, '/')) {
        p += 2;
        size_t q = scan_stop(u, p, n, "", "/?#");
        if (q > p)
            parse_authority(u, p, q);
        else if (q >= n)
            u->failed = 1;
        p = q;
    }
    size_t q = scan_stop(u, p, n, "", "?#");
    check_class(u, p, q, C_PATH, 1);
    u->path_at = p;
    u->path_len = q - p;
    p = q;
    if (at(u, p, '?')) {
        p++;
        q = scan_stop(u, p, n, "", "#");
        check_class(u, p, q, C_URIC, 1);
        u->query_at = p;
        u->query_len = q - p;
        p = q;
    }
    return p;
}

/* Parses s like new java.net.URI(s); 0 or -1 (URISyntaxException). */
static int uri_parse(uri_parser *u, const char *s, size_t n)
{
    memset(u, 0, sizeof *u);
    u->s = s;
    u->n = n;
    u->scheme_at = u->host_at = u->path_at = u->query_at = u->frag_at = ABSENT;
    u->port = -1;
    if (n == 0)
        return -1;
    size_t p = scan_stop(u, 0, n, "/?#", ":");
    if (p != ABSENT && p < n && s[p] == ':') {
        if (p == 0 || !in_class((unsigned char)s[0], C_ALPHA))
            return -1;
        check_class(u, 1, p, C_SCHEME, 0);
        u->scheme_at = 0;
        u->scheme_len = p;
        p++;
        if (at(u, p, '/')) {
            p = parse_hierarchical(u, p);
        } else {
            size_t q = scan_stop(u, p, n, "", "#");
            if (q <= p)
                return -1;
            check_class(u, p, q, C_URIC, 1); /* opaque: no host, path or query */
            p = q;
        }
    } else {
        p = parse_hierarchical(u, 0);
    }
    if (at(u, p, '#')) {
        check_class(u, p + 1, n, C_URIC, 1);
        u->frag_at = p + 1;
        u->frag_len = n - p - 1;
        p = n;
    }
    if (p < n)
        u->failed = 1;
    return u->failed ? -1 : 0;
}

/* URI.decode: %XX sequences to bytes (runs decoded as UTF-8, malformed -> U+FFFD); nothing
 * else changes ('+' stays). */
static wr_value uri_decode(wr_fn_ctx *ctx, const char *s, size_t n)
{
    wr_buf b, t;
    wr_buf_init(&b);
    wr_buf_init(&t);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && is_hex((unsigned char)s[i + 1]) && is_hex((unsigned char)s[i + 2])) {
            char hex[3] = {s[i + 1], s[i + 2], 0};
            wr_buf_putc(&b, (char)strtol(hex, NULL, 16));
            i += 2;
        } else {
            wr_buf_putc(&b, s[i]);
        }
    }
    utf8_append_valid(&t, (const unsigned char *)(b.data ? b.data : ""), b.len, 0);
    wr_value v = wr_str_copy(ctx->arena, t.data ? t.data : "", t.len);
    wr_buf_fini(&b);
    wr_buf_fini(&t);
    return v;
}

static int parse_arg(wr_fn_ctx *ctx, const wr_value *v, uri_parser *u)
{
    if (uri_parse(u, v->u.s, v->len) != 0)
        return wr_error_set(ctx->err, WR_EDATA, "URL input has invalid syntax: %.*s",
                            (int)v->len, v->u.s);
    return 0;
}

/* ---------------------------------------------------------------- functions */

SIG_RESOLVER(str1, "URL_EXTRACT", "S=S")
SIG_RESOLVER(port, "URL_EXTRACT_PORT", "S=I")
SIG_RESOLVER(param, "URL_EXTRACT_PARAMETER", "SS=S")
SIG_RESOLVER(encode, "URL_ENCODE_PARAM", "S=S")
SIG_RESOLVER(decode, "URL_DECODE_PARAM", "S=S")

/* Extracts component `which` (f fragment, h host, p path, q query, s scheme). */
static int extract(wr_fn_ctx *ctx, const wr_value *argv, wr_value *out, int which)
{
    uri_parser u;
    int rc = parse_arg(ctx, &argv[0], &u);
    if (rc)
        return rc;
    size_t at_ = ABSENT, len = 0;
    int decode = 1;
    switch (which) {
    case 'f': at_ = u.frag_at; len = u.frag_len; break;
    case 'h': at_ = u.host_at; len = u.host_len; decode = 0; break;
    case 'p': at_ = u.path_at; len = u.path_len; break;
    case 'q': at_ = u.query_at; len = u.query_len; break;
    default: at_ = u.scheme_at; len = u.scheme_len; decode = 0; break;
    }
    if (at_ == ABSENT)
        *out = wr_null();
    else if (decode)
        *out = uri_decode(ctx, u.s + at_, len);
    else
        *out = wr_str_copy(ctx->arena, u.s + at_, len);
    return 0;
}

static int fn_fragment(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return extract(ctx, argv, out, 'f');
}
static int fn_host(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return extract(ctx, argv, out, 'h');
}
static int fn_path(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return extract(ctx, argv, out, 'p');
}
static int fn_query(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return extract(ctx, argv, out, 'q');
}
static int fn_protocol(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return extract(ctx, argv, out, 's');
}

static int fn_port(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    uri_parser u;
    int rc = parse_arg(ctx, &argv[0], &u);
    if (rc)
        return rc;
    *out = u.port < 0 ? wr_null() : wr_int((int32_t)u.port);
    return 0;
}

/* The value of the first query parameter named `name` (decoded query split on '&', then on
 * the first '='): "" for a bare name, NULL when absent. */
static int fn_param(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    wr_value q;
    int rc = extract(ctx, argv, &q, 'q');
    if (rc)
        return rc;
    *out = wr_null();
    if (wr_is_null(&q))
        return 0;
    const char *s = q.u.s, *name = argv[1].u.s;
    size_t n = q.len, nl = argv[1].len, i = 0;
    while (i <= n) {
        const char *amp = memchr(s + i, '&', n - i);
        size_t end = amp ? (size_t)(amp - s) : n;
        if (end > i) {
            const char *eq = memchr(s + i, '=', end - i);
            size_t klen = eq ? (size_t)(eq - (s + i)) : end - i;
            if (klen == nl && memcmp(s + i, name, nl) == 0) {
                *out = eq ? wr_str(eq + 1, (size_t)(s + end - (eq + 1))) : wr_str("", 0);
                return 0;
            }
        }
        if (!amp)
            break;
        i = end + 1;
    }
    return 0;
}

/* URLEncoder.encode(s, UTF-8). */
static int fn_encode(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *s = (const unsigned char *)argv[0].u.s;
    wr_buf b;
    wr_buf_init(&b);
    for (size_t i = 0; i < argv[0].len; i++) {
        unsigned char c = s[i];
        if (in_class(c, C_ALNUM ".-*_")) {
            wr_buf_putc(&b, (char)c);
        } else if (c == ' ') {
            wr_buf_putc(&b, '+');
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            wr_buf_append(&b, e, 3);
        }
    }
    *out = wr_str_copy(ctx->arena, b.data ? b.data : "", b.len);
    wr_buf_fini(&b);
    return 0;
}

/* URLDecoder.decode(s, UTF-8): '+' is a space; a malformed escape is an error. */
static int fn_decode(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    const char *s = argv[0].u.s;
    size_t n = argv[0].len;
    wr_buf b;
    wr_buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            wr_buf_putc(&b, ' ');
        } else if (s[i] == '%') {
            if (i + 2 >= n) {
                wr_buf_fini(&b);
                return wr_error_set(ctx->err, WR_EDATA,
                                    "URLDecoder: Incomplete trailing escape (%%) pattern");
            }
            if (!is_hex((unsigned char)s[i + 1]) || !is_hex((unsigned char)s[i + 2])) {
                wr_buf_fini(&b);
                return wr_error_set(ctx->err, WR_EDATA, "URLDecoder: Illegal hex characters "
                                    "in escape (%%) pattern");
            }
            char hex[3] = {s[i + 1], s[i + 2], 0};
            wr_buf_putc(&b, (char)strtol(hex, NULL, 16));
            i += 2;
        } else {
            wr_buf_putc(&b, s[i]);
        }
    }
    wr_buf t;
    wr_buf_init(&t);
    utf8_append_valid(&t, (const unsigned char *)(b.data ? b.data : ""), b.len, 0);
    *out = wr_str_copy(ctx->arena, t.data ? t.data : "", t.len);
    wr_buf_fini(&b);
    wr_buf_fini(&t);
    return 0;
}

/* ---------------------------------------------------------------- table */

#define V(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NN WR_FN_NULL_IN_NULL_OUT

const wr_scalar_def wr_fns_url[] = {
    {"URL_DECODE_PARAM", "URL", "Unescapes the URL-param-encoded value.",
     V("URL_DECODE_PARAM(input STRING) => STRING"), 1, 1, NN, res_decode, NULL, fn_decode},
    {"URL_ENCODE_PARAM", "URL", "Escapes the value so it can be safely used as a URL query "
                                "parameter.",
     V("URL_ENCODE_PARAM(input STRING) => STRING"), 1, 1, NN, res_encode, NULL, fn_encode},
    {"URL_EXTRACT_FRAGMENT", "URL", "Extracts the fragment portion of the specified URL; NULL "
                                    "if there is none.",
     V("URL_EXTRACT_FRAGMENT(input STRING) => STRING"), 1, 1, NN, res_str1, NULL, fn_fragment},
    {"URL_EXTRACT_HOST", "URL", "Extracts the host-name portion of the specified URL; NULL if "
                                "it has no (server-based) host.",
     V("URL_EXTRACT_HOST(input STRING) => STRING"), 1, 1, NN, res_str1, NULL, fn_host},
    {"URL_EXTRACT_PARAMETER", "URL", "Extracts the value of the requested parameter from the "
                                     "query string of a URL; NULL if it is absent.",
     V("URL_EXTRACT_PARAMETER(input STRING, paramToFind STRING) => STRING"), 2, 2, NN,
     res_param, NULL, fn_param},
    {"URL_EXTRACT_PATH", "URL", "Extracts the path of the specified URL.",
     V("URL_EXTRACT_PATH(input STRING) => STRING"), 1, 1, NN, res_str1, NULL, fn_path},
    {"URL_EXTRACT_PORT", "URL", "Extracts the port number of the specified URL; NULL if it "
                                "has none.",
     V("URL_EXTRACT_PORT(input STRING) => INT"), 1, 1, NN, res_port, NULL, fn_port},
    {"URL_EXTRACT_PROTOCOL", "URL", "Extracts the protocol (scheme) of the specified URL.",
     V("URL_EXTRACT_PROTOCOL(input STRING) => STRING"), 1, 1, NN, res_str1, NULL, fn_protocol},
    {"URL_EXTRACT_QUERY", "URL", "Extracts the decoded query string of the specified URL; "
                                 "NULL if there is none.",
     V("URL_EXTRACT_QUERY(input STRING) => STRING"), 1, 1, NN, res_str1, NULL, fn_query},
    {0},
};
