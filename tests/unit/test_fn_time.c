/*
 * test_fn_time.c - unit tests for the date and time functions (engine/fn_time.c): known
 * values checked against java.time / Python zoneinfo, web-log timestamps with offsets, DST
 * gaps and overlaps, strict parsing, interval arithmetic and argument typing.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>

#include "func.h"

/* One call: resolve with static types, coerce, call fn with a fresh or given site. */
typedef struct call {
    wr_arena arena;
    wr_error err;
    wr_fn_site site;
    wr_fn_config cfg;
    char errmsg[256];
    const wr_type *rtype;
} call;

static call C;

static int setup(void **state)
{
    memset(&C, 0, sizeof C);
    wr_arena_init(&C.arena, 0);
    return 0;
}

static int teardown(void **state)
{
    if (C.site.data && C.site.free)
        C.site.free(C.site.data);
    free(C.site.key);
    wr_arena_fini(&C.arena);
    return 0;
}

static const wr_scalar_def *def_get(const char *name)
{
    return wr_fn_lookup(name);
}

/* Calls NAME(argv) with static types argt; returns the fn result code (or -100 when
 * resolve fails, with C.errmsg set).  The site persists across calls in one test, so
 * repeated calls exercise the cache. */
static int fcall(const char *name, int argc, const wr_type *const *argt, const wr_value *argv,
                 wr_value *out)
{
    const wr_scalar_def *def = def_get(name);
    assert_non_null(def);
    const wr_type *coerce[4] = {0};
    const wr_value *lits[4] = {0};
    wr_fn_resolve_ctx rc = {.arena = &C.arena, .coerce = coerce, .literal = lits};
    const wr_type *rt = def->resolve(&rc, argc, argt);
    if (!rt) {
        snprintf(C.errmsg, sizeof C.errmsg, "%s", rc.errmsg);
        return -100;
    }
    C.rtype = rt;
    wr_value args[4];
    const wr_type *types[4];
    for (int i = 0; i < argc; i++) {
        args[i] = argv[i];
        types[i] = argt[i];
        if (coerce[i]) {
            assert_int_equal(wr_value_cast(&C.arena, &argv[i], argt[i], coerce[i], &args[i], &C.err), 0);
            types[i] = coerce[i];
        }
        if ((def->flags & WR_FN_NULL_IN_NULL_OUT) && wr_is_null(&args[i])) {
            *out = wr_null();
            return 0;
        }
    }
    wr_fn_ctx ctx = {.arena = &C.arena, .err = &C.err, .cfg = &C.cfg, .argt = types,
                     .rtype = rt, .site = &C.site, .now_ms = 1605000000123LL};
    wr_error_clear(&C.err);
    return def->fn(&ctx, argc, args, out);
}

#define S(x) wr_str(x, strlen(x))
static const wr_type *const T_S[] = {&wr_type_string, &wr_type_string, &wr_type_string};

/* FORMAT_TIMESTAMP(ts, pat [, zone]) -> string (asserted ok) */
static const char *fmt_ts(int64_t ms, const char *pat, const char *zone)
{
    const wr_type *t[] = {&wr_type_timestamp, &wr_type_string, &wr_type_string};
    wr_value a[] = {wr_i64(WR_TIMESTAMP, ms), S(pat), zone ? S(zone) : wr_null()};
    wr_value out;
    int rc = fcall("FORMAT_TIMESTAMP", zone ? 3 : 2, t, a, &out);
    if (rc != 0)
        fail_msg("FORMAT_TIMESTAMP(%lld, '%s'): %s", (long long)ms, pat, C.err.msg);
    assert_int_equal(out.kind, WR_STRING);
    return wr_arena_strndup(&C.arena, out.u.s, out.len);
}

/* PARSE_TIMESTAMP(text, pat [, zone]): rc, *ms */
static int parse_ts(const char *text, const char *pat, const char *zone, int64_t *ms)
{
    wr_value a[] = {S(text), S(pat), zone ? S(zone) : wr_null()};
    wr_value out = {0};
    int rc = fcall("PARSE_TIMESTAMP", zone ? 3 : 2, T_S, a, &out);
    if (rc == 0) {
        assert_int_equal(out.kind, WR_TIMESTAMP);
        *ms = out.u.i;
    }
    return rc;
}

static int64_t parse_ts_ok(const char *text, const char *pat, const char *zone)
{
    int64_t ms = 0;
    if (parse_ts(text, pat, zone, &ms) != 0)
        fail_msg("PARSE_TIMESTAMP('%s', '%s'): %s", text, pat, C.err.msg);
    return ms;
}

static void test_conversions(void **state)
{
    wr_value out;
    const wr_type *ti[] = {&wr_type_int};
    wr_value a = wr_int(2);
    assert_int_equal(fcall("FROM_DAYS", 1, ti, &a, &out), 0);
    assert_int_equal(out.kind, WR_DATE);
    assert_int_equal(out.u.i, 2);
    assert_int_equal(C.rtype->kind, WR_DATE);

    const wr_type *td[] = {&wr_type_date};
    a = wr_i64(WR_DATE, -3);
    assert_int_equal(fcall("UNIX_DATE", 1, td, &a, &out), 0);
    assert_int_equal(out.kind, WR_INT);
    assert_int_equal(out.u.i, -3);

    assert_int_equal(fcall("UNIX_DATE", 0, NULL, NULL, &out), 0);
    assert_int_equal(out.u.i, 18576); /* 2020-11-10 */
    assert_int_equal(fcall("UNIX_TIMESTAMP", 0, NULL, NULL, &out), 0);
    assert_int_equal(out.kind, WR_BIGINT);
    assert_int_equal(out.u.i, 1605000000123LL);

    const wr_type *tt[] = {&wr_type_timestamp};
    a = wr_i64(WR_TIMESTAMP, 1605000000000LL);
    assert_int_equal(fcall("UNIX_TIMESTAMP", 1, tt, &a, &out), 0);
    assert_int_equal(out.kind, WR_BIGINT);
    assert_int_equal(out.u.i, 1605000000000LL);

    /* INT widened to BIGINT */
    a = wr_int(5);
    assert_int_equal(fcall("FROM_UNIXTIME", 1, ti, &a, &out), 0);
    assert_int_equal(out.kind, WR_TIMESTAMP);
    assert_int_equal(out.u.i, 5);

    /* NULL in, NULL out */
    a = wr_null();
    assert_int_equal(fcall("FROM_UNIXTIME", 1, ti, &a, &out), 0);
    assert_true(wr_is_null(&out));
}

static void test_resolve_errors(void **state)
{
    wr_value out;
    const wr_type *t[] = {&wr_type_bigint, &wr_type_string};
    wr_value a[] = {wr_bigint(1), S("yyyy")};
    assert_int_equal(fcall("FORMAT_TIMESTAMP", 2, t, a, &out), -100);
    assert_string_equal(C.errmsg,
                        "Function 'FORMAT_TIMESTAMP' does not accept parameters (BIGINT, STRING).");
    const wr_type *tb[] = {&wr_type_bigint};
    assert_int_equal(fcall("FROM_DAYS", 1, tb, a, &out), -100);
    assert_int_equal(fcall("UNIX_TIMESTAMP", 2, t, a, &out), -100);
    /* a NULL literal fits any parameter */
    const wr_type *tn[] = {&wr_type_null, &wr_type_string};
    wr_value n[] = {wr_null(), S("yyyy")};
    assert_int_equal(fcall("FORMAT_TIMESTAMP", 2, tn, n, &out), 0);
    assert_true(wr_is_null(&out));
}

static void test_format_timestamp(void **state)
{
    const int64_t ts = 1605000000000LL; /* 2020-11-10T09:20:00Z */
    assert_string_equal(fmt_ts(ts, "yyyy-MM-dd HH:mm:ss.SSS", NULL), "2020-11-10 09:20:00.000");
    assert_string_equal(fmt_ts(ts, "yyyy-MM-dd'T'HH:mm:ss.SSSX", NULL), "2020-11-10T09:20:00.000Z");
    assert_string_equal(fmt_ts(ts, "yyyy-MM-dd HH:mm:ss z", "America/Los_Angeles"),
                        "2020-11-10 01:20:00 PST");
    assert_string_equal(fmt_ts(ts, "yyyy-MM-dd'T'HH:mm:ssXXX", "America/Los_Angeles"),
                        "2020-11-10T01:20:00-08:00");
    assert_string_equal(fmt_ts(ts, "dd/MMM/yyyy:HH:mm:ss Z", "+02:00"), "10/Nov/2020:11:20:00 +0200");
    assert_string_equal(fmt_ts(ts, "EEE, d MMM yyyy h:mm a", "Asia/Kolkata"),
                        "Tue, 10 Nov 2020 2:50 PM");
    assert_string_equal(fmt_ts(ts, "EEEE MMMM dd ''yy VV", "UTC"), "Tuesday November 10 '20 UTC");
    assert_string_equal(fmt_ts(ts + 7, "HH:mm:ss.SSSSSS", NULL), "09:20:00.007000");
    assert_string_equal(fmt_ts(ts, "uuuu-MM-dd[ HH:mm]", NULL), "2020-11-10 09:20");
    assert_string_equal(fmt_ts(ts, "[y][M][d][H][m][s]", NULL), "202011109200");
    /* before 1970, and proleptic Gregorian before 1582 like java.time */
    assert_string_equal(fmt_ts(-1, "yyyy-MM-dd HH:mm:ss.SSS", NULL), "1969-12-31 23:59:59.999");
    assert_string_equal(fmt_ts(-354285LL * 86400000, "yyyy-MM-dd", NULL), "1000-01-01");
    /* DST: the same wall clock switches offset */
    assert_string_equal(fmt_ts(1615716000000LL - 1, "HH:mm:ss XXX", "America/Los_Angeles"),
                        "01:59:59 -08:00");
    assert_string_equal(fmt_ts(1615716000000LL, "HH:mm:ss XXX", "America/Los_Angeles"),
                        "03:00:00 -07:00");

    /* a fixed-offset zone's name is its id, like java.time's ZoneOffset */
    assert_string_equal(fmt_ts(ts, "HH:mm z VV", "+02:00"), "11:20 +02:00 +02:00");
    assert_string_equal(fmt_ts(ts, "HH:mm z", "Z"), "09:20 Z");
    assert_string_equal(fmt_ts(ts, "HH:mm z", "GMT"), "09:20 GMT");

    /* the cache is keyed by pattern+zone: alternating stays correct */
    assert_string_equal(fmt_ts(ts, "HH", "UTC"), "09");
    assert_string_equal(fmt_ts(ts, "HH", "Europe/Paris"), "10");
    assert_string_equal(fmt_ts(ts, "HH", "UTC"), "09");
}

static void test_timestamptostring(void **state)
{
    wr_value out;
    const wr_type *t[] = {&wr_type_int, &wr_type_string, &wr_type_string};
    wr_value a[] = {wr_int(0), S("yyyy-MM-dd HH:mm:ss"), S("Asia/Tokyo")};
    assert_int_equal(fcall("TIMESTAMPTOSTRING", 3, t, a, &out), 0);
    assert_int_equal(out.kind, WR_STRING);
    assert_memory_equal(out.u.s, "1970-01-01 09:00:00", out.len);
    assert_int_equal(fcall("TIMESTAMPTOSTRING", 2, t, a, &out), 0);
    assert_memory_equal(out.u.s, "1970-01-01 00:00:00", out.len);

    wr_value b[] = {S("2020-11-10 09:20:00"), S("yyyy-MM-dd HH:mm:ss"), S("America/Los_Angeles")};
    assert_int_equal(fcall("STRINGTOTIMESTAMP", 2, T_S, b, &out), 0);
    assert_int_equal(out.kind, WR_BIGINT);
    assert_int_equal(out.u.i, 1605000000000LL);
    assert_int_equal(fcall("STRINGTOTIMESTAMP", 3, T_S, b, &out), 0);
    assert_int_equal(out.u.i, 1605000000000LL + 8 * 3600000LL);
}

static void test_parse_timestamp(void **state)
{
    /* web-log timestamps: the offset in the text wins over the zone argument */
    assert_int_equal(parse_ts_ok("10/Oct/2000:13:55:36 -0700", "dd/MMM/yyyy:HH:mm:ss Z", NULL),
                     971211336000LL);
    assert_int_equal(parse_ts_ok("10/Oct/2000:13:55:36 -0700", "dd/MMM/yyyy:HH:mm:ss Z", "Asia/Tokyo"),
                     971211336000LL);
    assert_int_equal(parse_ts_ok("2020-11-10T09:20:00.000Z", "yyyy-MM-dd'T'HH:mm:ss.SSSX", NULL),
                     1605000000000LL);
    assert_int_equal(parse_ts_ok("2020-11-10T11:20:00.123+02:00", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", NULL),
                     1605000000123LL);
    /* no zone in the text: UTC, or the given zone */
    assert_int_equal(parse_ts_ok("2020-01-01 10:00:00", "yyyy-MM-dd HH:mm:ss", NULL), 1577872800000LL);
    assert_int_equal(parse_ts_ok("2020-01-01 10:00:00", "yyyy-MM-dd HH:mm:ss", "UTC"), 1577872800000LL);
    assert_int_equal(parse_ts_ok("2020-01-01 02:00:00", "yyyy-MM-dd HH:mm:ss", "America/Los_Angeles"),
                     1577872800000LL);
    assert_int_equal(parse_ts_ok("2020-01-01 12:00:00", "yyyy-MM-dd HH:mm:ss", "+02:00"), 1577872800000LL);
    assert_int_equal(parse_ts_ok("2020-01-01 12:00:00", "yyyy-MM-dd HH:mm:ss", "UTC+2"), 1577872800000LL);
    /* missing fields default to 1970-01-01T00:00 */
    assert_int_equal(parse_ts_ok("2020-01-01", "yyyy-MM-dd", NULL), 1577836800000LL);
    assert_int_equal(parse_ts_ok("10:00", "HH:mm", NULL), 36000000LL);
    /* fractions: SSS exact, finer digits truncated to ms */
    assert_int_equal(parse_ts_ok("2020-01-01 10:00:00.123456", "yyyy-MM-dd HH:mm:ss.SSSSSS", NULL),
                     1577872800123LL);
    /* two-digit years are 2000..2099 */
    assert_int_equal(parse_ts_ok("01/01/99", "MM/dd/yy", NULL), 4070908800000LL);
    /* optional section */
    assert_int_equal(parse_ts_ok("2020-01-01", "yyyy-MM-dd[ HH:mm:ss]", NULL), 1577836800000LL);
    assert_int_equal(parse_ts_ok("2020-01-01 10:00:00", "yyyy-MM-dd[ HH:mm:ss]", NULL), 1577872800000LL);
    assert_int_equal(parse_ts_ok("2020-01-01 10:00", "yyyy-MM-dd[ HH:mm[:ss][.SSS]]", NULL), 1577872800000LL);
    assert_int_equal(parse_ts_ok("2020-01-01 10:00:00.123", "yyyy-MM-dd[ HH:mm[:ss][.SSS]]", NULL),
                     1577872800123LL);
    assert_int_equal(parse_ts_ok("2020-01-01 10:00.123", "yyyy-MM-dd[ HH:mm[:ss][.SSS]]", NULL),
                     1577872800123LL);
    /* single-letter numeric fields take any width, like java.time */
    assert_int_equal(parse_ts_ok("5/1/2020", "d/M/yyyy", NULL), 1578182400000LL);
    assert_int_equal(parse_ts_ok("05/01/2020", "d/M/yyyy", NULL), 1578182400000LL);
    /* "+00:00" is a valid XXX offset although XXX prints it as "Z" */
    assert_int_equal(parse_ts_ok("2020-11-10T09:20:00+00:00", "yyyy-MM-dd'T'HH:mm:ssXXX", NULL),
                     1605000000000LL);
    assert_int_equal(parse_ts_ok("2020-11-10T09:20:00.123456Z", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSX", NULL),
                     1605000000123LL);
    /* text fields */
    assert_int_equal(parse_ts_ok("Tue, 10 Nov 2020 09:20:00", "EEE, d MMM yyyy HH:mm:ss", NULL),
                     1605000000000LL);
}

static void test_parse_timestamp_dst(void **state)
{
    /* spring forward gap: 02:30 does not exist, java.time shifts it by the gap to 03:30 PDT */
    assert_int_equal(parse_ts_ok("2021-03-14 02:30:00", "yyyy-MM-dd HH:mm:ss", "America/Los_Angeles"),
                     1615717800000LL);
    /* fall back overlap: 01:30 happens twice, java.time takes the earlier offset (PDT) */
    assert_int_equal(parse_ts_ok("2021-11-07 01:30:00", "yyyy-MM-dd HH:mm:ss", "America/Los_Angeles"),
                     1636273800000LL);
    /* an explicit offset disambiguates */
    assert_int_equal(parse_ts_ok("2021-11-07 01:30:00 -08:00", "yyyy-MM-dd HH:mm:ss XXX",
                                 "America/Los_Angeles"),
                     1636277400000LL);
}

static void test_parse_timestamp_strict(void **state)
{
    int64_t ms;
    const char *p = "yyyy-MM-dd HH:mm:ss";
    assert_int_equal(parse_ts("garbage", p, NULL, &ms), WR_EDATA);
    assert_non_null(strstr(C.err.msg, "garbage"));
    assert_int_equal(parse_ts("2020-01-01 10:00:00 trailing", p, NULL, &ms), WR_EDATA);
    assert_int_equal(parse_ts("2020-13-01 10:00:00", p, NULL, &ms), WR_EDATA);
    assert_int_equal(parse_ts("2020-01-01 25:00:00", p, NULL, &ms), WR_EDATA);
    assert_int_equal(parse_ts("2020-02-30 25:00:00", p, NULL, &ms), WR_EDATA);
    assert_int_equal(parse_ts_ok("2021-02-30 10:00:00", p, "America/Los_Angeles"),
                     1614535200000LL); /* clamped to 2021-02-28 */
    assert_int_equal(parse_ts("2020-1-01 10:00:00", p, NULL, &ms), WR_EDATA); /* MM: 2 digits */
    assert_int_equal(parse_ts("2020-01-01", p, NULL, &ms), WR_EDATA);
    assert_int_equal(parse_ts("", p, NULL, &ms), WR_EDATA);
    assert_int_equal(parse_ts("10/oct/2000:13:55:36", "dd/MMM/yyyy:HH:mm:ss", NULL, &ms), WR_EDATA);
    assert_int_equal(parse_ts("2020-01-01 10:00:00.5", "yyyy-MM-dd HH:mm:ss.SSS", NULL, &ms), WR_EDATA);
    /* the same strictness with a zone field in the pattern */
    assert_int_equal(parse_ts("10/oct/2000:13:55:36 -0700", "dd/MMM/yyyy:HH:mm:ss Z", NULL, &ms), WR_EDATA);
    assert_int_equal(parse_ts("1/Oct/2000:13:55:36 -0700", "dd/MMM/yyyy:HH:mm:ss Z", NULL, &ms), WR_EDATA);
    assert_int_equal(parse_ts("2020-11-10T11:20:00.5+02:00", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", NULL, &ms),
                     WR_EDATA);
    assert_int_equal(parse_ts("2020-11-10T11:20:00+02:00x", "yyyy-MM-dd'T'HH:mm:ssXXX", NULL, &ms),
                     WR_EDATA);
    assert_int_equal(parse_ts("10/Oct/2000:13:55:36 -0700", "dd/MMM/yyyy:HH:mm:ss", NULL, &ms), WR_EDATA);
    /* bad zones (ZoneId.of rules) */
    assert_int_equal(parse_ts("2020-01-01 10:00:00", p, "Mars/Olympus", &ms), WR_EDATA);
    assert_non_null(strstr(C.err.msg, "Mars/Olympus"));
    assert_int_equal(parse_ts("2020-01-01 10:00:00", p, "america/los_angeles", &ms), WR_EDATA);
    assert_int_equal(parse_ts("2020-01-01 10:00:00", p, "PST", &ms), WR_EDATA);
    assert_int_equal(parse_ts("2020-01-01 10:00:00", p, "+25:00", &ms), WR_EDATA);
    assert_int_equal(parse_ts("2020-01-01 10:00:00", p, "", &ms), WR_EDATA);
    assert_int_equal(parse_ts_ok("2020-01-01 10:00:00", p, "EST"), 1577890800000LL);
    assert_int_equal(parse_ts_ok("2020-01-01 10:00:00", p, "Z"), 1577872800000LL);
    assert_int_equal(parse_ts_ok("2020-01-01 10:00:00", p, "-0530"), 1577872800000LL + 19800000LL);
    /* bad patterns */
    assert_int_equal(parse_ts("2020", "yyyy bbb", NULL, &ms), WR_EDATA);
    assert_non_null(strstr(C.err.msg, "Unknown pattern letter: b"));
    assert_int_equal(parse_ts("2020", "yyyy 'x", NULL, &ms), WR_EDATA);
    assert_int_equal(parse_ts("2020", "yyyy MMMMMM", NULL, &ms), WR_EDATA);
    assert_int_equal(parse_ts("2020", "yyyy {", NULL, &ms), WR_EDATA);
    assert_int_equal(parse_ts("2020", "yyyy nnn", NULL, &ms), WR_EDATA);
    /* and good again afterwards at the same site */
    assert_int_equal(parse_ts_ok("2020", "yyyy", NULL), 1577836800000LL);
}

static void test_dates(void **state)
{
    wr_value out;
    const wr_type *t[] = {&wr_type_date, &wr_type_string};
    wr_value a[] = {wr_i64(WR_DATE, 2), S("yyyy-MM-dd")};
    assert_int_equal(fcall("FORMAT_DATE", 2, t, a, &out), 0);
    assert_memory_equal(out.u.s, "1970-01-03", out.len);
    a[0] = wr_i64(WR_DATE, 18321);
    a[1] = S("EEEE d MMMM uuuu, 'day' D");
    assert_int_equal(fcall("FORMAT_DATE", 2, t, a, &out), 0);
    assert_int_equal(out.len, strlen("Saturday 29 February 2020, day 60"));
    assert_memory_equal(out.u.s, "Saturday 29 February 2020, day 60", out.len);
    a[1] = S("yyyy-MM-dd HH:mm");
    assert_int_equal(fcall("FORMAT_DATE", 2, t, a, &out), WR_EDATA);
    a[1] = S("yyyy-MM-dd z");
    assert_int_equal(fcall("FORMAT_DATE", 2, t, a, &out), WR_EDATA);

    const wr_type *ti[] = {&wr_type_int, &wr_type_string};
    wr_value b[] = {wr_int(-1), S("dd/MM/yyyy")};
    assert_int_equal(fcall("DATETOSTRING", 2, ti, b, &out), 0);
    assert_memory_equal(out.u.s, "31/12/1969", out.len);

    wr_value p[] = {S("1970-01-03"), S("yyyy-MM-dd")};
    assert_int_equal(fcall("PARSE_DATE", 2, T_S, p, &out), 0);
    assert_int_equal(out.kind, WR_DATE);
    assert_int_equal(out.u.i, 2);
    assert_int_equal(fcall("STRINGTODATE", 2, T_S, p, &out), 0);
    assert_int_equal(out.kind, WR_INT);
    assert_int_equal(out.u.i, 2);
    p[0] = S("1000-01-01");
    assert_int_equal(fcall("PARSE_DATE", 2, T_S, p, &out), 0);
    assert_int_equal(out.u.i, -354285);
    p[0] = S("29-Feb-2020");
    p[1] = S("dd-MMM-yyyy");
    assert_int_equal(fcall("PARSE_DATE", 2, T_S, p, &out), 0);
    assert_int_equal(out.u.i, 18321);
    p[0] = S("2020 060");
    p[1] = S("yyyy DDD");
    assert_int_equal(fcall("PARSE_DATE", 2, T_S, p, &out), 0);
    assert_int_equal(out.u.i, 18321);
    /* a zone in the text does not move the local date */
    p[0] = S("2020-02-29 +14:00");
    p[1] = S("yyyy-MM-dd XXX");
    assert_int_equal(fcall("PARSE_DATE", 2, T_S, p, &out), 0);
    assert_int_equal(out.u.i, 18321);
    /* errors: time fields, incomplete dates, invalid days */
    p[0] = S("2020-02-29 10");
    p[1] = S("yyyy-MM-dd HH");
    assert_int_equal(fcall("PARSE_DATE", 2, T_S, p, &out), WR_EDATA);
    assert_non_null(strstr(C.err.msg, "Date format contains time field."));
    p[0] = S("2020-02");
    p[1] = S("yyyy-MM");
    assert_int_equal(fcall("PARSE_DATE", 2, T_S, p, &out), WR_EDATA);
    p[0] = S("2020-02-32");
    p[1] = S("yyyy-MM-dd");
    assert_int_equal(fcall("STRINGTODATE", 2, T_S, p, &out), WR_EDATA);
    p[0] = S("2020-04-31x");
    assert_int_equal(fcall("STRINGTODATE", 2, T_S, p, &out), WR_EDATA);
    /* java.time's SMART resolver: day 29..31 past the month's end is its last day */
    p[0] = S("2019-02-29");
    assert_int_equal(fcall("PARSE_DATE", 2, T_S, p, &out), 0);
    assert_int_equal(out.u.i, 17955);
    p[0] = S("2019-02-31");
    assert_int_equal(fcall("PARSE_DATE", 2, T_S, p, &out), 0);
    assert_int_equal(out.u.i, 17955);
    p[0] = S("2020-04-31");
    assert_int_equal(fcall("PARSE_DATE", 2, T_S, p, &out), 0);
    assert_int_equal(out.u.i, 18382);
    p[0] = S("2020-13-31");
    assert_int_equal(fcall("PARSE_DATE", 2, T_S, p, &out), WR_EDATA);
}

static void test_times(void **state)
{
    wr_value out;
    const wr_type *t[] = {&wr_type_time, &wr_type_string};
    wr_value a[] = {wr_i64(WR_TIME, 36930123), S("HH:mm:ss.SSS")};
    assert_int_equal(fcall("FORMAT_TIME", 2, t, a, &out), 0);
    assert_memory_equal(out.u.s, "10:15:30.123", out.len);
    a[1] = S("h:mm a");
    assert_int_equal(fcall("FORMAT_TIME", 2, t, a, &out), 0);
    assert_memory_equal(out.u.s, "10:15 AM", out.len);
    a[1] = S("yyyy HH");
    assert_int_equal(fcall("FORMAT_TIME", 2, t, a, &out), WR_EDATA);

    wr_value p[] = {S("10:15:30.123"), S("HH:mm:ss.SSS")};
    assert_int_equal(fcall("PARSE_TIME", 2, T_S, p, &out), 0);
    assert_int_equal(out.kind, WR_TIME);
    assert_int_equal(out.u.i, 36930123);
    p[0] = S("11:59 PM");
    p[1] = S("hh:mm a");
    assert_int_equal(fcall("PARSE_TIME", 2, T_S, p, &out), 0);
    assert_int_equal(out.u.i, 86340000);
    p[0] = S("23");
    p[1] = S("HH");
    assert_int_equal(fcall("PARSE_TIME", 2, T_S, p, &out), 0);
    assert_int_equal(out.u.i, 82800000);
    p[0] = S("2020 10");
    p[1] = S("yyyy HH");
    assert_int_equal(fcall("PARSE_TIME", 2, T_S, p, &out), WR_EDATA);
    assert_non_null(strstr(C.err.msg, "Time format contains date field."));
    p[0] = S("24:00");
    p[1] = S("HH:mm");
    assert_int_equal(fcall("PARSE_TIME", 2, T_S, p, &out), WR_EDATA);
}

static void test_convert_tz(void **state)
{
    wr_value out;
    const wr_type *t[] = {&wr_type_timestamp, &wr_type_string, &wr_type_string};
    wr_value a[] = {wr_i64(WR_TIMESTAMP, 1605000000000LL), S("UTC"), S("America/Los_Angeles")};
    assert_int_equal(fcall("CONVERT_TZ", 3, t, a, &out), 0);
    assert_int_equal(out.kind, WR_TIMESTAMP);
    assert_int_equal(out.u.i, 1605000000000LL - 8 * 3600000LL);
    a[1] = S("Asia/Kolkata");
    a[2] = S("+01:00");
    assert_int_equal(fcall("CONVERT_TZ", 3, t, a, &out), 0);
    assert_int_equal(out.u.i, 1605000000000LL - 4 * 3600000LL - 1800000LL);
    /* offsets are taken at the instant: summer time in Los Angeles */
    a[0] = wr_i64(WR_TIMESTAMP, 1593000000000LL);
    a[1] = S("America/Los_Angeles");
    a[2] = S("UTC");
    assert_int_equal(fcall("CONVERT_TZ", 3, t, a, &out), 0);
    assert_int_equal(out.u.i, 1593000000000LL + 7 * 3600000LL);
    a[2] = S("Nowhere/Land");
    assert_int_equal(fcall("CONVERT_TZ", 3, t, a, &out), WR_EDATA);
}

static void test_interval_arithmetic(void **state)
{
    wr_value out;
    const wr_type *td[] = {&wr_type_string, &wr_type_int, &wr_type_date};
    wr_value a[] = {S("DAYS"), wr_int(3), wr_i64(WR_DATE, 2)};
    assert_int_equal(fcall("DATEADD", 3, td, a, &out), 0);
    assert_int_equal(out.kind, WR_DATE);
    assert_int_equal(out.u.i, 5);
    assert_int_equal(fcall("DATESUB", 3, td, a, &out), 0);
    assert_int_equal(out.u.i, -1);
    /* sub-day units: the millisecond sum is truncated toward zero to days */
    a[0] = S("HOURS");
    a[1] = wr_int(47);
    assert_int_equal(fcall("DATEADD", 3, td, a, &out), 0);
    assert_int_equal(out.u.i, 3);
    a[1] = wr_int(1);
    a[2] = wr_i64(WR_DATE, 0);
    assert_int_equal(fcall("DATESUB", 3, td, a, &out), 0);
    assert_int_equal(out.u.i, 0);
    a[0] = S("WEEKS");
    assert_int_equal(fcall("DATEADD", 3, td, a, &out), WR_EDATA);
    const wr_type *tbad[] = {&wr_type_string, &wr_type_bigint, &wr_type_date};
    assert_int_equal(fcall("DATEADD", 3, tbad, a, &out), -100);

    const wr_type *tt[] = {&wr_type_string, &wr_type_int, &wr_type_time};
    wr_value b[] = {S("HOURS"), wr_int(5), wr_i64(WR_TIME, 22 * 3600000LL)};
    assert_int_equal(fcall("TIMEADD", 3, tt, b, &out), 0);
    assert_int_equal(out.kind, WR_TIME);
    assert_int_equal(out.u.i, 3 * 3600000LL);
    assert_int_equal(fcall("TIMESUB", 3, tt, b, &out), 0);
    assert_int_equal(out.u.i, 17 * 3600000LL);
    b[0] = S("MINUTES");
    b[1] = wr_int(-30);
    b[2] = wr_i64(WR_TIME, 600000);
    assert_int_equal(fcall("TIMEADD", 3, tt, b, &out), 0);
    assert_int_equal(out.u.i, 86400000LL - 1200000);
    b[0] = S("DAYS");
    b[1] = wr_int(2147483647); /* toNanos saturates to Long.MAX_VALUE */
    b[2] = wr_i64(WR_TIME, 0);
    assert_int_equal(fcall("TIMEADD", 3, tt, b, &out), 0);
    assert_int_equal(out.u.i, (INT64_MAX % 86400000000000LL) / 1000000);

    /* TIMESTAMPADD takes a BIGINT interval: INT widened */
    const wr_type *ts[] = {&wr_type_string, &wr_type_int, &wr_type_timestamp};
    wr_value c[] = {S("MINUTES"), wr_int(5), wr_i64(WR_TIMESTAMP, 1000)};
    assert_int_equal(fcall("TIMESTAMPADD", 3, ts, c, &out), 0);
    assert_int_equal(out.kind, WR_TIMESTAMP);
    assert_int_equal(out.u.i, 301000);
    assert_int_equal(fcall("TIMESTAMPSUB", 3, ts, c, &out), 0);
    assert_int_equal(out.u.i, -299000);
    c[0] = S("MILLISECONDS");
    assert_int_equal(fcall("TIMESTAMPADD", 3, ts, c, &out), 0);
    assert_int_equal(out.u.i, 1005);
    c[0] = S("SECONDS");
    c[1] = wr_null();
    assert_int_equal(fcall("TIMESTAMPADD", 3, ts, c, &out), 0);
    assert_true(wr_is_null(&out));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_conversions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resolve_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_format_timestamp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timestamptostring, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_timestamp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_timestamp_dst, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_timestamp_strict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_times, setup, teardown),
        cmocka_unit_test_setup_teardown(test_convert_tz, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interval_arithmetic, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
